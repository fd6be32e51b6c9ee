"""Random while the kill-switch ladder refuses its calls (`random_paused`, INV-7): joins are
refused `random_closed` (a 503, with no wait: it reopens with the load, not at a time), the queue
and those cooling down are stopped and told, calls go on but nobody searches again after them,
and once the step lifts joins work again. A fake ladder, on trio's MockClock."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from tests.unit.matching.fakes import Ladder
from tests.unit.matching.fakes import expect_refused
from tests.unit.matching.fakes import open_random
from vvtv.config import ConfigBundle
from vvtv.errors import Unavailable


@pytest.mark.req("INV-7", "MAT-1")
async def test_paused_random_refuses_joins_drains_the_queue_and_reopens_when_lifted(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    skip_after = config.limits.anti_abuse.min_time_before_skip_ms / 1000
    ladder = Ladder()
    async with open_random(config) as random:
        random.matching.admit_with(ladder.admit)
        await random.join("ana")
        session = await random.meet("ana", "bob")
        await random.join("cyd")  # searching: nobody else is free
        assert (await random.state("cyd")).status == "searching"

        searched = len(random.n.told("bob", "match.searching"))
        ladder.paused = True
        random.matching.ladder_changed(4)
        await trio.testing.wait_all_tasks_blocked()

        # The queue is drained, each one told why (no wait: it is not a matter of time).
        [closed] = random.n.told("cyd", "match.refused")
        assert (closed["code"], closed["retry_after_s"]) == ("random_closed", None)
        assert (await random.state("cyd")).status == "idle"
        assert random.refusals("random_closed") == 1
        # Nobody joins meanwhile: a 503 random_closed.
        with pytest.raises(Unavailable) as refused:
            await random.join("dee")
        assert (refused.value.status, refused.value.code) == (503, "random_closed")
        # The call goes on; when it ends, neither searches again: both are told.
        assert (await random.state("ana")).session_id == session
        await trio.sleep(skip_after)
        await random.skip("ana")
        for user in ("ana", "bob"):
            assert random.n.last(user) == "match.refused", user
            assert (await random.state(user)).status == "idle"
        assert len(random.n.told("bob", "match.searching")) == searched

        ladder.paused = False
        random.matching.ladder_changed(3)
        await trio.testing.wait_all_tasks_blocked()
        assert (await random.join("dee")).status == "searching"
        # cyd was stopped, not leaving: no reconnect is counted coming back.
        state = await random.join("cyd")
        assert state.status in ("connecting", "in_call")


@pytest.mark.req("INV-7", "ABU-1")
async def test_a_pause_ends_a_cooldown_but_not_its_wait(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    """Stopping those who cool down does not forgive their skips: back open, a join before the
    cooldown's end is still refused."""
    skip_after = config.limits.anti_abuse.min_time_before_skip_ms / 1000
    ladder = Ladder()
    async with open_random(config) as random:
        random.matching.admit_with(ladder.admit)
        await random.join("ana")
        for peer in ["p1", "p2", "p3", "p4"]:
            await random.meet("ana", peer)
            await trio.sleep(skip_after)
            await random.skip("ana")
            await random.leave(peer)
        assert (await random.state("ana")).status == "cooldown"
        ladder.paused = True
        random.matching.ladder_changed(4)
        await trio.testing.wait_all_tasks_blocked()
        assert (await random.state("ana")).status == "idle"
        assert random.n.last("ana") == "match.refused"
        ladder.paused = False
        random.matching.ladder_changed(3)
        await expect_refused(random.join("ana"), "cooldown")
