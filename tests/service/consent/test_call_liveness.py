"""A call lasts while BOTH of its people are there (SES-8, OPS-5), on trio's MockClock: one who
goes silent, or whose tab closes, ends it for both, and the other is told who left; a tab that
reconnects within `sessions.socket_grace_s` and heartbeats again keeps the call."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from tests.service.consent.conftest import beat
from tests.service.consent.conftest import invite
from tests.service.consent.conftest import post
from tests.service.consent.conftest import told_end
from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World

MockClock = trio.testing.MockClock


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
