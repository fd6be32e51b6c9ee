"""Shield Mode (issue 16; MOD-6's new accounts, TEL-6's audit): one admin switch applies config's
`shield` preset at once and reverts it exactly. What each kind of account may do is probed with
the switch off, on, and off again: off twice is the same product. The switch is audited, metered,
kept across a restart, told to every tab as a calm notice (`service.notice`), reached from the
CLI, and its sweep times out whoever posted a listed term lately."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import trio.testing

from tests.accounts import PASSWORD
from tests.accounts import staff
from tests.service.aged_accounts import aged
from tests.service.chat.conftest import open_thread
from tests.service.chat.conftest import open_world
from tests.service.chat.conftest import post
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from tests.service.presence.conftest import world
from vvtv.cli import shield_command
from vvtv.config import ConfigBundle

__all__ = ["world"]
pytestmark = pytest.mark.req("MOD-6", "TEL-6")


async def _switch(world: World, admin: User, active: bool) -> dict[str, Any]:
    response = await world.client.post(
        "/admin/shield", json={"active": active, "reason": "raid"}, headers=admin.headers
    )
    assert response.status_code == 200, await response.get_data()
    status: dict[str, Any] = await response.get_json()
    return status


async def _admin(world: World) -> User:
    tokens = await staff(world.services, world.client, "root", "admin")
    return User("root", tokens["user"]["id"], tokens)


async def _signed_in_again(world: World, handle: str) -> User:
    """A fresh sign-in (after a jump of the clock past the access token's life)."""
    response = await world.client.post("/auth/login", json={"handle": handle, "password": PASSWORD})
    tokens = await response.get_json()
    return User(handle, tokens["user"]["id"], tokens)


async def _probe(
    world: World, people: dict[str, User], mock_clock: trio.testing.MockClock
) -> dict[str, Any]:
    """What each account may do now; everything it starts is ended again, so a probe repeats."""
    seen: dict[str, Any] = {}
    _, room = await open_thread(world, people["old"], scope="room", room="party")
    await open_thread(world, people["neo"], scope="room", room="party")
    _, live = await open_thread(world, people["mid"], scope="live_public", room="live_public")
    status, body = await post(world, people["neo"], room["thread_id"], "hello")
    seen["new account chats"] = (status, body.get("code"))
    response = await world.client.post(
        "/consent/invites", json={"invitee_id": people["kid"].id}, headers=people["neo"].headers
    )
    invite = await response.get_json()
    seen["new account invites"] = (response.status_code, invite.get("code"))
    if response.status_code == 201:
        await world.client.delete(f"/consent/invites/{invite['id']}", headers=people["neo"].headers)
    response = await world.client.post("/match/join", json={}, headers=people["mid"].headers)
    seen["5-day account joins Random"] = (
        response.status_code,
        (await response.get_json()).get("code"),
    )
    if response.status_code == 200:
        await world.client.post("/match/leave", json={}, headers=people["mid"].headers)
    status, body = await post(world, people["mid"], live["thread_id"], "hi all")
    seen["5-day account chats in the live room"] = (status, body.get("code"))
    first, _ = await post(world, people["old"], room["thread_id"], "one")
    second, body = await post(world, people["old"], room["thread_id"], "two")
    seen["old account's second room message at once"] = (first, second, body.get("code"))
    _, notice = await world.get(people["old"], "/service/notice")
    seen["notice"] = notice
    # Every rate and slow mode lets go before the next probe.
    await world.advance(mock_clock, world.config.limits.anti_abuse.quarantine.chat.window_s)
    return seen


async def test_shield_mode_changes_behaviour_and_reverts_exactly(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await aged(world, neo=1, kid=2, mid=5, old=30)
    admin = await _admin(world)
    before = await _probe(world, people, mock_clock)
    assert before == {
        "new account chats": (200, None),
        "new account invites": (201, None),
        "5-day account joins Random": (200, None),
        "5-day account chats in the live room": (200, None),
        "old account's second room message at once": (200, 200, None),
        "notice": {"level": 0, "step": None, "shield": None},
    }
    async with world.tab(people["old"]) as tab:
        status = await _switch(world, admin, True)
        (told,) = [e for e in await tab.settle() if e["type"] == "service.notice"]
    assert told["shield"] == {"blur_new_tiles": world.config.limits.shield.blur_new_tiles}
    assert status["active"] is True
    during = await _probe(world, people, mock_clock)
    assert during == {
        "new account chats": (403, "shield_new_accounts"),
        "new account invites": (403, "shield_new_accounts"),
        "5-day account joins Random": (403, "shield_account_age"),
        "5-day account chats in the live room": (403, "shield_room_gate"),
        "old account's second room message at once": (200, 429, "chat_rate_limited"),
        "notice": {"level": 0, "step": None, "shield": {"blur_new_tiles": True}},
    }
    async with world.tab(people["old"]) as tab:
        await _switch(world, admin, False)
        (told,) = [e for e in await tab.settle() if e["type"] == "service.notice"]
    assert told["shield"] is None
    assert await _probe(world, people, mock_clock) == before
    switches = [
        (e.action, e.actor_id, e.detail["active"])
        for e in await world.services.audit.page(None, 50)
        if e.action == "shield.switch"
    ]
    assert switches == [("shield.switch", admin.id, False), ("shield.switch", admin.id, True)]
    metrics = await (await world.client.get("/metrics")).get_data(as_text=True)
    assert "vvtv_shield_active 0.0" in metrics
    assert 'vvtv_shield_switches_total{to="on"} 1.0' in metrics


async def test_only_an_admin_switches_it(world: World) -> None:
    people = await aged(world, old=30)
    mod = await world.moderator()
    for who in (people["old"], mod):
        response = await world.client.post(
            "/admin/shield", json={"active": True, "reason": "x"}, headers=who.headers
        )
        assert response.status_code == 403
    assert world.services.shield.status().active is False


async def test_shield_mode_survives_a_restart(cheap_config: ConfigBundle, tmp_path: Path) -> None:
    async with open_world(cheap_config, tmp_path / "var") as world:
        people = await aged(world, neo=1)
        await _switch(world, await _admin(world), True)
        neo = people["neo"]
    async with open_world(cheap_config, tmp_path / "var") as world:
        assert world.services.shield.status().active is True
        _, room = await open_thread(world, neo, scope="room", room="party")
        assert (await post(world, neo, room["thread_id"], "hi"))[1]["code"] == "shield_new_accounts"
        _, notice = await world.get(neo, "/service/notice")
        assert notice["shield"] == {"blur_new_tiles": True}


async def test_switching_on_sweeps_recent_posters_of_listed_terms(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    sweep = world.config.limits.shield.sweep
    people = await aged(world, raider=20, early=20, calm=20)
    for person in people.values():
        _, room = await open_thread(world, person, scope="room", room="party")
    tid = room["thread_id"]
    assert (await post(world, people["early"], tid, "R A I D time"))[0] == 200
    await world.advance(mock_clock, sweep.window_s + 1)  # before the window: not swept
    people = {handle: await _signed_in_again(world, handle) for handle in people}
    assert (await post(world, people["raider"], tid, "RAIDDD!!! join us"))[0] == 200
    assert (await post(world, people["calm"], tid, "hello there"))[0] == 200
    status = await _switch(world, await _admin(world), True)
    assert status["last_swept"] == 1
    await world.advance(mock_clock, world.config.limits.shield.slow_mode_s)
    status_code, body = await post(world, people["raider"], tid, "hi")
    assert (status_code, body["code"]) == (429, "chat_timed_out")
    assert (await post(world, people["calm"], tid, "still here"))[0] == 200
    assert (await post(world, people["early"], tid, "me too"))[0] == 200
    timeouts = [e for e in await world.services.audit.page(None, 20) if e.action == "chat.timeout"]
    assert [(e.target_id, e.reason) for e in timeouts] == [(people["raider"].id, "shield_sweep")]


async def test_the_cli_switches_a_running_server(world: World) -> None:
    await _admin(world)
    transport = httpx.ASGITransport(app=world.client.app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://vvtv") as client:
        on = await shield_command(client, "root", PASSWORD, "on", "raid from the shell")
        status = await shield_command(client, "root", PASSWORD, "status", "")
        off = await shield_command(client, "root", PASSWORD, "off", "over")
    assert (on["active"], status["active"], off["active"]) == (True, True, False)
    reasons = [
        e.reason for e in await world.services.audit.page(None, 10) if e.action == "shield.switch"
    ]
    assert reasons == ["over", "raid from the shell"]
