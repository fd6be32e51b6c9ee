"""A call a participant ends outside matching (the session's own end, `POST /sessions/{id}/end`)
is theirs to answer for (ABU-1/2/3/6): hanging up is their skip, with its cooldown and its count
towards the skips-a-minute switch; one that `too_early` or `kill_switch` would have refused
cannot be undone, so its skipper waits that refusal's wait as a cooldown; going silent is
leaving. Only an end by nobody in the call puts both back for free. On trio's MockClock."""

from __future__ import annotations

import pytest
import trio
import trio.testing
from msgspec.structs import replace

from tests.unit.matching.fakes import Random
from tests.unit.matching.fakes import expect_refused
from tests.unit.matching.fakes import open_random
from vvtv.config import ConfigBundle
from vvtv.contracts.events import SessionStateChanged


async def _ended(random: Random, session: str, by: str | None, reason: str = "user") -> None:
    """The orchestrator's word that `session` is ending, by `by` (who hung up or went silent)."""
    event = SessionStateChanged(session_id=session, state="ending", reason=reason, ended_by=by)
    random.matching.session_changed(event)
    await trio.testing.wait_all_tasks_blocked()


def _skips(random: Random) -> float:
    return float(random.matching._queue.metrics.skips._value.get())


@pytest.mark.req("ABU-1", "MAT-5")
async def test_hanging_up_yourself_is_your_skip_and_the_fourth_cools_down(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    skip_after = config.limits.anti_abuse.min_time_before_skip_ms / 1000
    async with open_random(config) as random:
        await random.join("ana")
        for n, peer in enumerate(["p1", "p2", "p3", "p4"], start=1):
            session = await random.meet("ana", peer)
            await trio.sleep(skip_after)
            await _ended(random, session, "ana")
            assert [e["reason"] for e in random.n.told(peer, "match.ended")] == ["peer_skipped"]
            assert random.n.last(peer) == "match.searching"  # the peer is back, told why
            await random.leave(peer)
            if n < 4:
                assert (await random.state("ana")).status == "searching", n
        assert random.n.ended == []  # the session ended itself: matching ends nothing
        assert _skips(random) == 4
        [cooldown] = random.n.told("ana", "match.cooldown")
        assert (cooldown["seconds"], cooldown["skips_in_window"]) == (3.0, 4)
        assert [e["reason"] for e in random.n.told("ana", "match.ended")] == ["skipped"] * 4
        await random.leave("ana")
        await expect_refused(random.join("ana"), "cooldown")


@pytest.mark.req("ABU-2")
async def test_hanging_up_too_early_costs_the_wait_too_early_would_have_named(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    """The call has ended and cannot be refused any more: bob cools down for the rest of
    min_time_before_skip_ms, then searches by himself; ana searches at once."""
    skip_after = config.limits.anti_abuse.min_time_before_skip_ms / 1000
    async with open_random(config) as random:
        await random.join("ana")
        session = await random.meet("ana", "bob")
        await trio.sleep(0.5)
        await _ended(random, session, "bob")
        assert (await random.state("ana")).status == "searching"
        state = await random.state("bob")
        assert state.status == "cooldown"
        [cooldown] = random.n.told("bob", "match.cooldown")
        assert cooldown["seconds"] == pytest.approx(skip_after - 0.5)
        await trio.sleep(skip_after - 0.5)
        await trio.testing.wait_all_tasks_blocked()
        assert (await random.state("bob")).status == "searching"


@pytest.mark.req("ABU-6")
async def test_hanging_up_past_the_skips_a_minute_switch_waits_as_the_switch_would(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    limits = config.limits
    switch = replace(limits.kill_switches, max_skips_per_minute=3)
    strict = replace(config, limits=replace(limits, kill_switches=switch))
    skip_after = limits.anti_abuse.min_time_before_skip_ms / 1000
    async with open_random(strict) as random:
        await random.join("ana")
        started = trio.current_time()
        for peer in ["p1", "p2", "p3", "p4"]:
            session = await random.meet("ana", peer)
            await trio.sleep(skip_after)
            await _ended(random, session, "ana")
            await random.leave(peer)
        state = await random.state("ana")
        assert state.status == "cooldown"
        # The first of the three skips in the minute leaves it: then a fourth is allowed.
        first_skip = started + skip_after
        await random.leave("ana")
        waiting = await expect_refused(random.join("ana"), "cooldown")
        assert trio.current_time() + waiting.retry_after_s == pytest.approx(first_skip + 60)


@pytest.mark.req("ABU-3", "MAT-5")
async def test_going_silent_is_leaving(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    async with open_random(config) as random:
        await random.join("ana")
        session = await random.meet("ana", "bob")
        await _ended(random, session, "bob", reason="timeout")
        assert (await random.state("bob")).status == "idle"
        assert [e["reason"] for e in random.n.told("ana", "match.ended")] == ["peer_left"]
        assert (await random.state("ana")).status == "searching"
        await expect_refused(random.join("bob"), "reconnect_budget")


@pytest.mark.req("MAT-5")
async def test_an_end_by_nobody_in_the_call_puts_both_back(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    async with open_random(config) as random:
        await random.join("ana")
        session = await random.meet("ana", "bob")
        await _ended(random, session, None, reason="shutdown")
        for user in ("ana", "bob"):
            assert [e["reason"] for e in random.n.told(user, "match.ended")] == ["session_ended"]
            assert (await random.state(user)).status == "searching"
        assert _skips(random) == 0
