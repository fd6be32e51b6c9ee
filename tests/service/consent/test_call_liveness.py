"""A call lasts while BOTH of its people are there (SES-8, OPS-5), on trio's MockClock: one who
goes silent, or whose tab closes, ends it for both, and the other is told who left; a tab that
reconnects within `sessions.socket_grace_s` and heartbeats again keeps the call."""

from __future__ import annotations

from typing import Any

import pytest
import trio
import trio.testing

from tests.service.consent.conftest import invite, post
from tests.service.presence.conftest import Tab, User, World

MockClock = trio.testing.MockClock


async def beat(tab: Tab, session_id: str) -> list[dict[str, Any]]:
    """Heartbeat the session on this socket: what came before the answer, and the answer."""
    await tab.send("heartbeat", session_id=session_id)
    events = []
    while (event := await tab.next())["type"] not in ("heartbeat.ack", "error"):
        events.append(event)
    return [*events, event]


async def told_end(tab: Tab) -> list[tuple[str, str | None, str | None]]:
    """The session.state events this tab got until it was told the session ended (the actor
    writes to SQLite in a thread, which MockClock does not wait for: poll a bounded while)."""
    states: list[tuple[str, str | None, str | None]] = []
    for _ in range(200):
        for event in await tab.settle():
            if event["type"] == "session.state":
                states.append((event["state"], event["reason"], event["ended_by"]))
        if states and states[-1][0] == "ended":
            return states
        await trio.testing.wait_all_tasks_blocked(cushion=0.01)
    raise AssertionError(f"never told the session ended: {states}")


async def start_call(world: World, ana: User, bob: User, bob_tab: Tab) -> str:
    status, made = await invite(world, ana, bob)
    assert status == 201, made
    status, accepted = await post(world, bob, f"/consent/invites/{made['id']}/accept")
    assert status == 200, accepted
    await bob_tab.settle()  # the request, the acceptance, the session's start
    session_id: str = accepted["session_id"]
    return session_id


async def state(world: World, user: User, session_id: str) -> str:
    status, view = await world.get(user, f"/sessions/{session_id}")
    assert status == 200, view
    return str(view["state"])


@pytest.mark.req("SES-8", "OPS-5")
async def test_one_who_goes_silent_ends_the_call_for_both_though_the_other_keeps_beating(
    world: World, mock_clock: MockClock
) -> None:
    limits = world.config.limits.sessions
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab:
        session_id = await start_call(world, ana, bob, bob_tab)
        await beat(ana_tab, session_id)
        waited = 0.0
        while waited + limits.heartbeat_interval_s < limits.heartbeat_timeout_s:
            await world.advance(mock_clock, limits.heartbeat_interval_s)
            waited += limits.heartbeat_interval_s
            assert (await beat(bob_tab, session_id))[-1]["type"] == "heartbeat.ack"
        assert await state(world, bob, session_id) == "active"
        await world.advance(mock_clock, limits.heartbeat_timeout_s - waited)
        for tab in (bob_tab, ana_tab):
            assert await told_end(tab) == [
                ("ending", "timeout", ana.id),
                ("ended", "timeout", ana.id),
            ]


@pytest.mark.req("SES-8", "OPS-5")
async def test_a_closed_tab_ends_the_call_after_the_socket_grace_and_the_other_is_told(
    world: World, mock_clock: MockClock
) -> None:
    grace = world.config.limits.sessions.socket_grace_s
    assert grace < world.config.limits.sessions.heartbeat_timeout_s
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    async with world.tab(bob) as bob_tab:
        async with world.tab(ana) as ana_tab:
            session_id = await start_call(world, ana, bob, bob_tab)
            await beat(ana_tab, session_id)
            await beat(bob_tab, session_id)
        # ana's only socket that kept the call is gone (the tab closed, or its network).
        await world.advance(mock_clock, grace - 0.5)
        assert await state(world, bob, session_id) == "active"
        assert (await beat(bob_tab, session_id))[-1]["type"] == "heartbeat.ack"
        await world.advance(mock_clock, 0.5)
        assert await told_end(bob_tab) == [
            ("ending", "timeout", ana.id),
            ("ended", "timeout", ana.id),
        ]


@pytest.mark.req("OPS-5")
async def test_a_tab_that_reconnects_within_the_grace_keeps_the_call(
    world: World, mock_clock: MockClock
) -> None:
    limits = world.config.limits.sessions
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    # ana's other tab never heartbeated the call: it does not keep it (nor hold up the grace).
    async with world.tab(bob) as bob_tab, world.tab(ana):
        async with world.tab(ana) as ana_tab:
            session_id = await start_call(world, ana, bob, bob_tab)
            await beat(ana_tab, session_id)
        # The network drops: ana's call tab's socket closes; it is back within the grace.
        await world.advance(mock_clock, limits.socket_grace_s - 1)
        async with world.tab(ana) as ana_tab:
            assert (await beat(ana_tab, session_id))[-1]["type"] == "heartbeat.ack"
            # Both keep beating, well past the grace and the heartbeat timeout: still on.
            for _ in range(3 * round(limits.heartbeat_timeout_s / limits.heartbeat_interval_s)):
                await world.advance(mock_clock, limits.heartbeat_interval_s)
                for tab in (ana_tab, bob_tab):
                    assert (await beat(tab, session_id))[-1]["type"] == "heartbeat.ack"
            assert await state(world, ana, session_id) == "active"
