"""Every anti-abuse rule of Random through the matching service and its actor, on trio's
MockClock (ABU-1..7), and the waits that shape who meets whom (relax, no repeat): each refusal
has its code, the wait the UI shows, and a count in the refusals metric."""

from __future__ import annotations

import pytest
import trio
from msgspec.structs import replace

from tests.unit.matching.fakes import expect_refused
from tests.unit.matching.fakes import open_random
from vvtv.config import ConfigBundle
from vvtv.errors import Conflict

SKIP_AFTER_S = 2.0  # the shipped min_time_before_skip_ms, checked below


def test_the_shipped_figures(config: ConfigBundle) -> None:
    abuse = config.limits.anti_abuse
    assert abuse.min_time_before_skip_ms / 1000 == SKIP_AFTER_S
    assert abuse.cooldown_schedule_s[:4] == (0, 0, 0, 3)
    assert config.limits.kill_switches.max_skips_per_minute == 12


@pytest.mark.req("ABU-1", "ABU-7")
async def test_the_fourth_quick_skip_cools_down_3_s_then_searching_resumes_by_itself(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    async with open_random(config) as random:
        await random.join("ana")
        for n, peer in enumerate(["p1", "p2", "p3", "p4"], start=1):
            await random.meet("ana", peer)
            await trio.sleep(SKIP_AFTER_S)
            state = await random.skip("ana")
            await random.leave(peer)  # gone, so the next one is new to ana
            if n < 4:
                assert state.status == "searching", (n, state)
                assert state.next_cooldown_s == (3.0 if n == 3 else 0.0)
        assert state.status == "cooldown"
        assert state.cooldown_until is not None
        assert random.n.last("ana") == "match.cooldown"
        [cooldown] = random.n.told("ana", "match.cooldown")
        assert (cooldown["seconds"], cooldown["skips_in_window"]) == (3.0, 4)
        # Leaving does not shorten it: joining again is refused until it ends.
        await random.leave("ana")
        refused = await expect_refused(random.join("ana"), "cooldown")
        assert 0 < refused.retry_after_s <= 3.0
        assert random.refusals("cooldown") == 1
        await trio.sleep(refused.retry_after_s)
        # (a reconnect after leaving: its backoff has passed by now)
        assert (await random.join("ana")).status == "searching"


@pytest.mark.req("ABU-1")
async def test_a_cooldown_ends_into_searching_without_asking(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    async with open_random(config) as random:
        await random.join("ana")
        for peer in ["p1", "p2", "p3", "p4"]:
            await random.meet("ana", peer)
            await trio.sleep(SKIP_AFTER_S)
            await random.skip("ana")
            await random.leave(peer)
        assert (await random.state("ana")).status == "cooldown"
        await trio.sleep(3.0)
        await trio.testing.wait_all_tasks_blocked()  # the wake-up, due at the same instant
        assert (await random.state("ana")).status == "searching"
        assert random.n.last("ana") == "match.searching"


@pytest.mark.req("ABU-2", "ABU-7")
async def test_a_skip_before_min_time_before_skip_ms_is_refused_with_the_wait(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    async with open_random(config) as random:
        await random.join("ana")
        session = await random.meet("ana", "bob")
        [found] = random.n.told("ana", "match.found")
        assert found["session_id"] == session
        await trio.sleep(SKIP_AFTER_S - 0.5)
        refused = await expect_refused(random.skip("ana"), "too_early")
        assert refused.retry_after_s == pytest.approx(0.5)
        assert (await random.state("ana")).status == "in_call"  # nothing changed
        assert random.n.ended == []
        await trio.sleep(0.5)
        assert (await random.skip("ana")).status == "searching"
        assert random.n.ended == [(session, "ana", "skip")]
        assert random.refusals("too_early") == 1
        with pytest.raises(Conflict) as outside:
            await random.skip("ana")  # no call to skip now
        assert outside.value.code == "not_in_call"


@pytest.mark.req("ABU-3", "ABU-7")
async def test_reconnects_are_two_a_minute_each_after_its_backoff(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    backoff = config.limits.anti_abuse.reconnect.backoff_s
    assert config.limits.anti_abuse.reconnect.attempts_per_minute == 2
    async with open_random(config) as random:
        await random.join("ana")
        await random.leave("ana")
        refused = await expect_refused(random.join("ana"), "reconnect_budget")
        assert refused.retry_after_s == pytest.approx(backoff[0])
        await trio.sleep(backoff[0])
        assert (await random.join("ana")).status == "searching"  # the first reconnect
        await random.leave("ana")
        await trio.sleep(backoff[0])
        # The second waits more.
        refused = await expect_refused(random.join("ana"), "reconnect_budget")
        assert refused.retry_after_s == pytest.approx(backoff[1] - backoff[0])
        await trio.sleep(refused.retry_after_s)
        assert (await random.join("ana")).status == "searching"  # the second reconnect
        await random.leave("ana")
        await trio.sleep(backoff[-1])
        refused = await expect_refused(random.join("ana"), "reconnect_budget")  # a third: no budget
        assert refused.retry_after_s > 0
        await trio.sleep(refused.retry_after_s)
        assert (await random.join("ana")).status == "searching"
        assert random.refusals("reconnect_budget") == 3


@pytest.mark.req("ABU-3")
async def test_losing_the_last_tab_leaves_after_the_grace_and_counts_as_leaving(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    grace = config.limits.matching.socket_grace_s
    async with open_random(config, tabs={"ana": 1}) as random:
        await random.join("ana")
        random.n.tabs["ana"] = 0
        random.matching.socket_closed("tab-1")
        await trio.sleep(grace - 0.1)
        assert (await random.state("ana")).status == "searching"
        await trio.sleep(0.1)
        await trio.testing.wait_all_tasks_blocked()
        assert (await random.state("ana")).status == "idle"
        assert random.n.last("ana") == "match.ended"
        await expect_refused(random.join("ana"), "reconnect_budget")


@pytest.mark.req("ABU-3", "OPS-5")
async def test_a_reload_within_the_grace_keeps_the_search_and_the_call_and_is_no_reconnect(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    """The last tab closes and a tab is back (a reload) before matching.socket_grace_s: the
    search goes on as if nothing happened (told nothing), and so does a call; a second close
    starts the grace afresh. Then leaving and joining is the first reconnect, not the second."""
    grace = config.limits.matching.socket_grace_s
    backoff = config.limits.anti_abuse.reconnect.backoff_s
    async with open_random(config, tabs={"ana": 1, "bob": 1}) as random:
        await random.join("ana")
        told = len(random.n.told("ana"))
        for _ in range(3):  # three reloads in a row, each back in time
            random.n.tabs["ana"] = 0
            random.matching.socket_closed("ana-tab")
            await trio.sleep(grace - 1)
            random.n.tabs["ana"] = 1
            await trio.sleep(2)  # past the first close's grace: it no longer counts
        assert (await random.state("ana")).status == "searching"
        assert len(random.n.told("ana")) == told
        session = await random.meet("ana", "bob")
        random.n.tabs["bob"] = 0
        random.matching.socket_closed("bob-tab")
        await trio.sleep(grace - 1)
        random.n.tabs["bob"] = 1
        await trio.sleep(grace)
        state = await random.state("bob")
        assert (state.status, state.session_id) == ("in_call", session)
        assert random.n.ended == []
        await random.leave("ana")
        # A first reconnect (its backoff), not a second one: the reloads spent nothing.
        first = await expect_refused(random.join("ana"), "reconnect_budget")
        assert first.retry_after_s == pytest.approx(backoff[0])


@pytest.mark.req("ABU-4", "ABU-5", "ABU-7")
async def test_new_accounts_meet_only_each_other_at_the_forced_profile_20_an_hour(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    quarantine = config.limits.anti_abuse.quarantine
    assert quarantine.max_matches_per_hour == 20
    peers = [f"p{n}" for n in range(quarantine.max_matches_per_hour + 1)]
    async with open_random(config, quarantined={"ana", *peers}) as random:
        await random.join("ana")
        await random.join("old")  # an older account: never ana's
        for peer in peers[:-1]:
            await random.meet("ana", peer)
            await trio.sleep(SKIP_AFTER_S)
            await random.leave(peer)  # ana searches again, until the cap
        # The forced profile at the quarantine's reduced caps (ABU-4), which the SFU encodes at.
        reduced = config.profile(quarantine.reduced_profile)
        assert (reduced.video.max_bitrate_kbps, reduced.video.fps) == (300, 15)
        assert reduced.audio == config.profile(quarantine.forced_profile).audio
        assert all(
            body.media_profile == quarantine.reduced_profile for _, body in random.n.made.values()
        )
        assert all("old" not in a.participants for a, _ in random.n.made.values())
        state = await random.state("ana")
        assert state.status == "idle"
        assert state.matches_left == 0
        [refused] = random.n.told("ana", "match.refused")
        assert refused["code"] == "hourly_cap"
        assert refused["retry_after_s"] > 0
        again = await expect_refused(random.join("ana"), "hourly_cap")
        await trio.sleep(again.retry_after_s)
        assert (await random.join("ana")).status == "searching"  # an hour after the first
        assert random.refusals("hourly_cap") == 2


@pytest.mark.req("ABU-5")
async def test_the_open_pool_cap_is_the_tiers(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    cap = 3
    limits = config.limits
    capped = replace(
        config,
        limits=replace(limits, anti_abuse=replace(limits.anti_abuse, max_matches_per_hour=cap)),
    )
    async with open_random(capped) as random:
        await random.join("ana")
        for n in range(cap):
            await random.meet("ana", f"p{n}")
            await trio.sleep(SKIP_AFTER_S)
            await random.leave(f"p{n}")
        assert random.n.last("ana") == "match.refused"
        await expect_refused(random.join("ana"), "hourly_cap")


@pytest.mark.req("ABU-6", "ABU-7", "OPS-1")
async def test_more_skips_a_minute_than_the_kill_switch_are_refused(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    # The shipped schedule's cooldowns keep anyone under 12 a minute; a tier's lower switch bites.
    limits = config.limits
    switch = replace(limits.kill_switches, max_skips_per_minute=3)
    strict = replace(config, limits=replace(limits, kill_switches=switch))
    async with open_random(strict) as random:
        await random.join("ana")
        for peer in ["p1", "p2", "p3"]:
            await random.meet("ana", peer)
            await trio.sleep(SKIP_AFTER_S)
            await random.skip("ana")
            await random.leave(peer)
        await random.meet("ana", "p4")
        await trio.sleep(SKIP_AFTER_S)
        refused = await expect_refused(random.skip("ana"), "kill_switch")
        assert 0 < refused.retry_after_s <= 60
        assert (await random.state("ana")).status == "in_call"
        await trio.sleep(refused.retry_after_s)
        assert (await random.skip("ana")).status in ("searching", "cooldown")
        assert random.refusals("kill_switch") == 1


@pytest.mark.req("ABU-6", "ABU-7")
async def test_the_shipped_switch_refuses_the_13th_skip_in_a_minute(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    """The shipped 12 a minute, with no cooldown between skips (the schedule's own brake
    lifted, so only the kill switch stands in the way): 12 pass, the 13th is refused."""
    limits = config.limits
    per_minute = limits.kill_switches.max_skips_per_minute
    assert per_minute == 12
    no_cooldown = [0] * len(limits.anti_abuse.cooldown_schedule_s)
    abuse = replace(limits.anti_abuse, cooldown_schedule_s=no_cooldown)
    reconnect = replace(abuse.reconnect, attempts_per_minute=per_minute * 2)
    abuse = replace(abuse, reconnect=reconnect)
    loose = replace(config, limits=replace(limits, anti_abuse=abuse))
    async with open_random(loose) as random:
        await random.join("ana")
        started = trio.current_time()
        for n in range(per_minute):
            await random.meet("ana", f"p{n}")
            await trio.sleep(SKIP_AFTER_S)
            await random.skip("ana")
            await random.leave(f"p{n}")
        await random.meet("ana", "last")
        await trio.sleep(SKIP_AFTER_S)
        assert trio.current_time() - started < 60
        refused = await expect_refused(random.skip("ana"), "kill_switch")
        assert 0 < refused.retry_after_s <= 60
        assert random.refusals("kill_switch") == 1


@pytest.mark.req("MAT-3")
async def test_after_relax_after_s_two_without_a_shared_tag_meet_by_themselves(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    relax = config.limits.matching.relax_after_s
    async with open_random(config) as random:
        await random.join("ana", "music")
        await random.join("bob", "sport")
        await trio.sleep(relax - 0.1)
        assert (await random.state("ana")).status == "searching"
        await trio.sleep(0.1)
        await trio.testing.wait_all_tasks_blocked()
        assert (await random.state("ana")).status == "in_call"
        assert random.n.last("bob") == "match.found"


@pytest.mark.req("MAT-5")
async def test_two_who_met_meet_again_only_after_the_no_repeat_window(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    window = config.limits.matching.no_repeat_window_s
    async with open_random(config) as random:
        await random.join("ana")
        first = await random.meet("ana", "bob")
        met_at = trio.current_time()
        await trio.sleep(SKIP_AFTER_S)
        await random.skip("ana")
        assert {e["reason"] for e in random.n.told("bob", "match.ended")} == {"peer_skipped"}
        assert random.n.last("bob") == "match.searching"
        await trio.sleep(met_at + window - trio.current_time() - 0.1)
        assert (await random.state("ana")).status == "searching"
        await trio.sleep(0.1)
        await trio.testing.wait_all_tasks_blocked()
        state = await random.state("ana")
        assert state.status == "in_call"
        assert state.session_id != first


@pytest.mark.req("MAT-2", "INV-2")
async def test_a_call_that_cannot_start_pauses_both_then_they_search_again(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    pause = config.limits.matching.call_failed_pause_s
    async with open_random(config, fail_calls=True) as random:
        await random.join("ana")
        await random.join("bob")
        await trio.testing.wait_all_tasks_blocked()
        for user in ("ana", "bob"):
            assert [e["reason"] for e in random.n.told(user, "match.ended")] == ["call_failed"]
            assert (await random.state(user)).status == "cooldown"
        assert random.n.told("ana", "match.found") == []
        random.n.fail_calls = False
        await trio.sleep(pause)
        await trio.testing.wait_all_tasks_blocked()
        assert (await random.state("ana")).status == "searching"  # they met: not each other
