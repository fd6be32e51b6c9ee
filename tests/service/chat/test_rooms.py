"""Rooms in the whole product (CHT-3, INV-5, MOD-2, MOD-4, CFG-6): a room is the ecosystem of a
mode that chats in its scope and that the tier offers; a room's messages reach the sockets that
follow it; blocks and shadow quarantine hide authors; links follow the scope and the flag."""

from __future__ import annotations

from pathlib import Path

import pytest
from msgspec.structs import replace

from tests.accounts import PASSWORD
from tests.service.chat.conftest import chat_events
from tests.service.chat.conftest import open_thread
from tests.service.chat.conftest import open_world
from tests.service.chat.conftest import post
from tests.service.presence.conftest import World
from vvtv.config import ConfigBundle


def _with_flags(config: ConfigBundle, **flags: bool) -> ConfigBundle:
    limits = config.limits
    return replace(
        config, limits=replace(limits, feature_flags=replace(limits.feature_flags, **flags))
    )


@pytest.mark.req("CHT-3")
@pytest.mark.req("INV-5")
async def test_a_room_is_an_ecosystem_whose_mode_chats_in_that_scope(world: World) -> None:
    ana = (await world.users("ana"))["ana"]
    for scope, room in (("room", "party"), ("live_public", "live_public")):
        status, thread = await open_thread(world, ana, scope=scope, room=room)
        assert (status, thread["room"]) == (200, room)
    strangers = [
        ("room", "live_public"),  # the live's ecosystem chats in live_public, not in room
        ("room", "random"),  # Random chats 1:1
        ("room", "nowhere"),
        ("live_public", "party"),  # Party's room never opens as a live's (INV-5)
        ("performer_room", "party"),  # no mode offers performer rooms yet
        ("performer_room", "someone"),
    ]
    for scope, room in strangers:
        status, body = await open_thread(world, ana, scope=scope, room=room)
        assert (status, body["code"], body.get("path")) == (404, "room_not_found", "room"), room


@pytest.mark.req("CHT-3")
@pytest.mark.req("CFG-6")
async def test_a_room_whose_mode_the_tier_switches_off_is_gone(
    cheap_config: ConfigBundle, tmp_path: Path
) -> None:
    async with open_world(cheap_config, tmp_path / "var") as world:
        ana = (await world.users("ana"))["ana"]
        _, live = await open_thread(world, ana, scope="live_public", room="live_public")
        assert (await post(world, ana, live["thread_id"], "hello"))[0] == 200
    off = _with_flags(cheap_config, live_public=False)
    async with open_world(off, tmp_path / "var") as world:
        tokens = await _login(world, "ana")
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        response = await world.client.get(f"/chat/{live['thread_id']}/messages", headers=headers)
        body = await response.get_json()
        assert (response.status_code, body["code"]) == (404, "room_not_found")
        response = await world.client.post(
            "/chat/thread", json={"scope": "live_public", "room": "live_public"}, headers=headers
        )
        assert response.status_code == 404
        response = await world.client.post(
            "/chat/thread", json={"scope": "room", "room": "party"}, headers=headers
        )
        assert response.status_code == 200  # Party is still offered


async def _login(world: World, handle: str) -> dict[str, str]:
    response = await world.client.post("/auth/login", json={"handle": handle, "password": PASSWORD})
    assert response.status_code == 200
    tokens: dict[str, str] = await response.get_json()
    return tokens


@pytest.mark.req("CHT-2")
async def test_a_room_reaches_the_tabs_that_subscribed_each_message_once(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    _, room = await open_thread(world, ana, scope="room", room="party")
    await open_thread(world, bob, scope="room", room="party")
    rid = room["thread_id"]
    await post(world, ana, rid, "before anyone listened")
    async with world.tab(bob) as watching, world.tab(bob) as elsewhere:
        await watching.send("chat.subscribe", thread_id=rid, after_seq=0)
        await post(world, ana, rid, "hello room")
        await watching.send("chat.subscribe", thread_id=rid, after_seq=0)  # nothing twice
        assert [e["body"] for e in await chat_events(watching)] == [
            "before anyone listened",
            "hello room",
        ]
        assert await chat_events(elsewhere) == []  # joined the room, but this tab is elsewhere
        await elsewhere.send("chat.send", thread_id=rid, body="from here", client_id="h1")
        [echo] = await chat_events(elsewhere)  # sending over a tab follows the room from there
        assert (echo["seq"], echo["client_id"]) == (3, "h1")
        await post(world, ana, rid, "and back")
        assert [e["seq"] for e in await chat_events(elsewhere)] == [4]
        assert [e["seq"] for e in await chat_events(watching)] == [3, 4]


@pytest.mark.req("MOD-4")
async def test_a_shadow_quarantined_author_is_read_only_by_others_like_them(world: World) -> None:
    people = await world.users("sam", "sue", "ana")
    mod = await world.moderator()
    for handle in ("sam", "sue"):
        response = await world.client.post(
            f"/admin/users/{people[handle].id}/quarantine",
            json={"reason": "investigation"},
            headers=mod.headers,
        )
        assert response.status_code == 200
    for user in people.values():
        _, room = await open_thread(world, user, scope="room", room="party")
    rid = room["thread_id"]
    async with world.tab(people["ana"]) as ana_tab, world.tab(people["sue"]) as sue_tab:
        for tab in (ana_tab, sue_tab):
            await tab.send("chat.subscribe", thread_id=rid)
        status, _ = await post(world, people["sam"], rid, "psst")
        assert status == 200  # never told
        await post(world, people["ana"], rid, "hi all")
        assert [e["body"] for e in await chat_events(ana_tab)] == ["hi all"]
        assert [e["body"] for e in await chat_events(sue_tab)] == ["psst", "hi all"]
    pages = {h: (await world.get(u, f"/chat/{rid}/messages"))[1] for h, u in people.items()}
    assert [m["body"] for m in pages["ana"]["messages"]] == ["hi all"]
    assert [m["body"] for m in pages["sam"]["messages"]] == ["psst", "hi all"]
    assert [m["body"] for m in pages["sue"]["messages"]] == ["psst", "hi all"]


@pytest.mark.req("CHT-3")
@pytest.mark.req("CFG-6")
async def test_links_need_the_flag_and_the_scope(
    world: World, cheap_config: ConfigBundle, tmp_path: Path
) -> None:
    """The shipped config has `feature_flags.chat_links: false`: no scope takes a link, not even
    those whose `links` is true; with the flag on, those do and the others still refuse."""
    scopes = cheap_config.limits.chat.scopes
    assert cheap_config.limits.feature_flags.chat_links is False
    assert (scopes.private_1to1.links, scopes.room.links) == (True, True)
    assert (scopes.live_public.links, scopes.performer_room.links) == (False, False)
    link = "see https://example.com/x"

    async def answers(world: World) -> dict[str, tuple[int, str | None]]:
        people = await world.users("ana", "bob")
        ana, bob = people["ana"], people["bob"]
        opened = {
            "private_1to1": await open_thread(
                world, ana, scope="private_1to1", peer_user_id=bob.id
            ),
            "room": await open_thread(world, ana, scope="room", room="party"),
            "live_public": await open_thread(world, ana, scope="live_public", room="live_public"),
        }
        found = {}
        for scope, (_, thread) in opened.items():
            status, body = await post(world, ana, thread["thread_id"], link)
            found[scope] = (status, body.get("code"))
        return found

    refused = (400, "links_not_allowed")
    assert await answers(world) == {
        "private_1to1": refused,
        "room": refused,
        "live_public": refused,
    }
    async with open_world(_with_flags(cheap_config, chat_links=True), tmp_path / "on") as on:
        assert await answers(on) == {
            "private_1to1": (200, None),
            "room": (200, None),
            "live_public": refused,
        }


@pytest.mark.req("CHT-2")
async def test_a_room_message_names_its_author_live_and_in_history(world: World) -> None:
    """Live rooms show no presence to name an author by: each message carries the handle."""
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    _, room = await open_thread(world, ana, scope="live_public", room="live_public")
    await open_thread(world, bob, scope="live_public", room="live_public")
    rid = room["thread_id"]
    status, sent = await post(world, ana, rid, "first")
    assert (status, sent["author_handle"]) == (200, "ana")
    async with world.tab(bob) as tab:
        await tab.send("chat.subscribe", thread_id=rid, after_seq=0)  # caught up: seq 1
        await post(world, ana, rid, "second")  # live: seq 2
        events = await chat_events(tab)
        assert [(e["seq"], e["author_handle"]) for e in events] == [(1, "ana"), (2, "ana")]
    status, page = await world.get(bob, f"/chat/{rid}/messages")
    assert status == 200, page
    assert [m["author_handle"] for m in page["messages"]] == ["ana", "ana"]
