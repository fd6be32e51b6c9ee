"""A Random call whose camera the automated frame checks scored at or above `end_call_at`
(issue 16): matching ends it at once as the flagged one's skip, however young the call (nothing
refuses it), their peer searches again at once, and they wait `random_cooldown_s`. A session that
is not one of Random's calls is left alone. On trio's MockClock."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from tests.unit.matching.fakes import expect_refused
from tests.unit.matching.fakes import open_random
from vvtv.config import ConfigBundle


@pytest.mark.req("MOD-1", "MAT-5", "ABU-1")
async def test_a_flagged_call_ends_at_once_and_its_publisher_cools_down(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    cooldown_s = config.limits.media.frame_checks.random_cooldown_s
    async with open_random(config) as random:
        await random.join("ana")
        session = await random.meet("ana", "bob")
        assert not await random.matching.flagged("ana", "not-a-random-call", cooldown_s)
        assert await random.matching.flagged("ana", session, cooldown_s)
        await trio.testing.wait_all_tasks_blocked()
        assert [(s, by) for s, by, _ in random.n.ended] == [(session, "ana")]
        assert [e["reason"] for e in random.n.told("bob", "match.ended")] == ["peer_skipped"]
        assert random.n.last("bob") == "match.searching"
        state = await random.state("ana")
        assert state.status == "cooldown"
        await random.leave("ana")
        await expect_refused(random.join("ana"), "cooldown")
        await trio.sleep(cooldown_s)
        assert (await random.join("ana")).status in ("searching", "connecting")
