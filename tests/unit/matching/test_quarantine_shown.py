"""What Random tells a new account of its quarantine (MOD-6, ABU-4/5): `MatchState.quarantine`
says it is limited and how (who it meets, matches an hour, video caps), idle or not; a
moderator's shadow quarantine (MOD-4) is applied just the same and never shown: its subject's
state reads like anyone's. On trio's MockClock."""

from __future__ import annotations

import pytest
import trio

from tests.unit.matching.fakes import open_random
from vvtv.config import ConfigBundle
from vvtv.contracts.matching import MatchQuarantine


@pytest.mark.req("MOD-6", "ABU-4", "ABU-5")
async def test_a_new_account_sees_its_quarantine_and_its_limits(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    quarantine = config.limits.anti_abuse.quarantine
    told = MatchQuarantine(
        account_age_days=quarantine.account_age_days,
        max_matches_per_hour=quarantine.max_matches_per_hour,
        max_video_bitrate_kbps=quarantine.max_video_bitrate_kbps,
        max_fps=quarantine.max_fps,
    )
    assert (told.max_matches_per_hour, told.max_video_bitrate_kbps, told.max_fps) == (20, 300, 15)
    async with open_random(config, quarantined={"new"}) as random:
        idle = await random.state("new")
        assert (idle.status, idle.quarantine, idle.matches_left) == ("idle", told, 20)
        searching = await random.join("new")
        assert (searching.status, searching.quarantine) == ("searching", told)
        old = await random.state("old")
        assert old.quarantine is None
        assert old.matches_left == config.limits.anti_abuse.max_matches_per_hour


@pytest.mark.req("MOD-4", "ABU-4")
async def test_a_shadow_quarantine_is_applied_and_never_shown(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    quarantine = config.limits.anti_abuse.quarantine
    open_cap = config.limits.anti_abuse.max_matches_per_hour
    async with open_random(config, quarantined={"sam", "new"}, shadowed={"sam"}) as random:
        idle = await random.state("sam")
        assert (idle.quarantine, idle.matches_left) == (None, open_cap)
        await random.join("sam")
        await random.join("old")  # an older account: never sam's
        assert (await random.state("sam")).status == "searching"
        session = await random.meet("sam", "new")  # sam meets the quarantine pool only
        in_call = await random.state("sam")
        assert (in_call.quarantine, in_call.matches_left) == (None, open_cap - 1)
        _, body = random.n.made[session]
        assert body.media_profile == quarantine.reduced_profile  # at the reduced caps all the same
        assert (await random.state("new")).quarantine is not None
