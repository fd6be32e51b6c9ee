"""Chat auto-moderation through the API and the socket (issue 16, CHT-4's feedback): a `hold`
rule keeps the message for moderators (`GET /mod/held`, audited), `block` refuses it, `timeout`
refuses it and silences its author for automod.timeout_s (kept across a restart); evasive
spellings meet the rules. The rules are the shipped config's."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio.testing

from tests.service.chat.conftest import chat_events
from tests.service.chat.conftest import open_thread
from tests.service.chat.conftest import open_world
from tests.service.chat.conftest import post
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from vvtv.config import ConfigBundle

pytestmark = pytest.mark.req("CHT-4", "TEL-6")


async def _room(world: World, *handles: str) -> tuple[dict[str, User], str]:
    people = await world.users(old=handles)
    threads = [await open_thread(world, people[h], scope="room", room="party") for h in handles]
    return people, str(threads[0][1]["thread_id"])


async def test_a_held_message_reaches_nobody_and_waits_for_a_moderator(world: World) -> None:
    people, tid = await _room(world, "ana", "bob")
    ana, bob = people["ana"], people["bob"]
    async with world.tab(bob) as bob_tab:
        await bob_tab.send("chat.subscribe", thread_id=tid)
        status, body = await post(world, ana, tid, "add me on sn4pch@t pls")
        assert (status, body["code"]) == (403, "message_held")
        assert await chat_events(bob_tab) == []
    _, page = await world.get(ana, f"/chat/{tid}/messages")
    assert page["messages"] == []
    mod = await world.moderator()
    status, held = await world.get(mod, "/mod/held")
    assert status == 200
    (message,) = held["messages"]
    assert (message["author_handle"], message["rule"], message["body"]) == (
        "ana", "contact_offsite", "add me on sn4pch@t pls",
    )  # fmt: skip
    assert (await world.get(bob, "/mod/held"))[0] == 403
    entries = await world.services.audit.page(None, 10)
    held_entry = next(e for e in entries if e.action == "chat.held")
    assert held_entry.reason == "contact_offsite"
    assert "sn4pch" not in str(held_entry.detail)  # the body never reaches the audit (TEL-3)


async def test_a_blocked_message_is_refused_and_the_socket_hears_why(world: World) -> None:
    people, tid = await _room(world, "ana")
    ana = people["ana"]
    async with world.tab(ana) as tab:
        await tab.send("chat.send", thread_id=tid, body="ＣＡＳＨＡＰＰ me $10")
        (error,) = await tab.settle()
    assert (error["type"], error["code"]) == ("error", "message_blocked")
    assert (await post(world, ana, tid, "hello"))[0] == 200


async def test_a_timeout_rule_silences_its_author_until_the_timeout_ends(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people, tid = await _room(world, "ana")
    ana = people["ana"]
    status, body = await post(world, ana, tid, "just k y s")
    timeout_s = world.config.limits.chat.automod.timeout_s
    assert (status, body["code"], body["retry_after_s"]) == (429, "chat_timed_out", timeout_s)
    status, body = await post(world, ana, tid, "sorry")
    assert (status, body["code"]) == (429, "chat_timed_out")
    await world.advance(mock_clock, timeout_s)
    assert (await post(world, ana, tid, "sorry"))[0] == 200
    actions = [e.action for e in await world.services.audit.page(None, 10)]
    assert "chat.timeout" in actions


async def test_a_timeout_survives_a_restart(cheap_config: ConfigBundle, tmp_path: Path) -> None:
    async with open_world(cheap_config, tmp_path / "var") as world:
        people, tid = await _room(world, "ana")
        assert (await post(world, people["ana"], tid, "kys"))[0] == 429
        tokens = people["ana"].tokens
    async with open_world(cheap_config, tmp_path / "var") as world:
        response = await world.client.post(
            f"/chat/{tid}/messages", json={"body": "hi"},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )  # fmt: skip
        assert (await response.get_json())["code"] == "chat_timed_out"
