"""Every anti-abuse rule of Random through the matching service and its actor, on trio's
MockClock (ABU-1..7), and the waits that shape who meets whom (relax, no repeat): each refusal
has its code, the wait the UI shows, and a count in the refusals metric."""

from __future__ import annotations

import pytest
import trio
from msgspec.structs import replace

from tests.unit.matching.fakes import Random, open_random
from vvtv.config import ConfigBundle
from vvtv.errors import Conflict, TooManyRequests

SKIP_AFTER_S = 2.0  # the shipped min_time_before_skip_ms, checked below


async def _call(random: Random, user: str, peer: str) -> str:
    """`peer` arrives and meets `user`, who is searching; the call is made at once."""
    await random.join(peer)
    await trio.testing.wait_all_tasks_blocked()
    state = await random.state(user)
    assert state.status == "in_call", state
    assert state.peer is not None
    assert state.peer.user_id == peer
    assert state.session_id is not None
    return state.session_id


async def _refused(call: object, code: str) -> TooManyRequests:
    with pytest.raises(TooManyRequests) as refused:
        await call  # type: ignore[misc]
    assert refused.value.code == code
    return refused.value


def _refusals(random: Random, code: str) -> float:
    metric = random.matching._ports.metrics.refusals.labels(code)
    return float(metric._value.get())


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
            await _call(random, "ana", peer)
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
        refused = await _refused(random.join("ana"), "cooldown")
        assert 0 < refused.retry_after_s <= 3.0
        assert _refusals(random, "cooldown") == 1
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
            await _call(random, "ana", peer)
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
        session = await _call(random, "ana", "bob")
        [found] = random.n.told("ana", "match.found")
        assert found["session_id"] == session
        await trio.sleep(SKIP_AFTER_S - 0.5)
        refused = await _refused(random.skip("ana"), "too_early")
        assert refused.retry_after_s == pytest.approx(0.5)
        assert (await random.state("ana")).status == "in_call"  # nothing changed
        assert random.n.ended == []
        await trio.sleep(0.5)
        assert (await random.skip("ana")).status == "searching"
        assert random.n.ended == [(session, "ana", "skip")]
        assert _refusals(random, "too_early") == 1
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
        refused = await _refused(random.join("ana"), "reconnect_budget")
        assert refused.retry_after_s == pytest.approx(backoff[0])
        await trio.sleep(backoff[0])
        assert (await random.join("ana")).status == "searching"  # the first reconnect
        await random.leave("ana")
        await trio.sleep(backoff[0])
        refused = await _refused(random.join("ana"), "reconnect_budget")  # the second waits more
        assert refused.retry_after_s == pytest.approx(backoff[1] - backoff[0])
        await trio.sleep(refused.retry_after_s)
        assert (await random.join("ana")).status == "searching"  # the second reconnect
        await random.leave("ana")
        await trio.sleep(backoff[-1])
        refused = await _refused(random.join("ana"), "reconnect_budget")  # a third: no budget
        assert refused.retry_after_s > 0
        await trio.sleep(refused.retry_after_s)
        assert (await random.join("ana")).status == "searching"
        assert _refusals(random, "reconnect_budget") == 3


@pytest.mark.req("ABU-3")
async def test_losing_the_last_tab_leaves_the_queue_and_counts_as_leaving(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    async with open_random(config, tabs={"ana": 1}) as random:
        await random.join("ana")
        random.n.tabs["ana"] = 0
        random.matching.socket_closed("tab-1")
        await trio.testing.wait_all_tasks_blocked()
        assert (await random.state("ana")).status == "idle"
        await _refused(random.join("ana"), "reconnect_budget")


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
            await _call(random, "ana", peer)
            await trio.sleep(SKIP_AFTER_S)
            await random.leave(peer)  # ana searches again, until the cap
        assert all(
            body.media_profile == quarantine.forced_profile for _, body in random.n.made.values()
        )
        assert all("old" not in a.participants for a, _ in random.n.made.values())
        state = await random.state("ana")
        assert state.status == "idle"
        assert state.matches_left == 0
        [refused] = random.n.told("ana", "match.refused")
        assert refused["code"] == "hourly_cap"
        assert refused["retry_after_s"] > 0
        again = await _refused(random.join("ana"), "hourly_cap")
        await trio.sleep(again.retry_after_s)
        assert (await random.join("ana")).status == "searching"  # an hour after the first
        assert _refusals(random, "hourly_cap") == 2


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
            await _call(random, "ana", f"p{n}")
            await trio.sleep(SKIP_AFTER_S)
            await random.leave(f"p{n}")
        assert random.n.last("ana") == "match.refused"
        await _refused(random.join("ana"), "hourly_cap")


@pytest.mark.req("ABU-6", "ABU-7")
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
            await _call(random, "ana", peer)
            await trio.sleep(SKIP_AFTER_S)
            await random.skip("ana")
            await random.leave(peer)
        await _call(random, "ana", "p4")
        await trio.sleep(SKIP_AFTER_S)
        refused = await _refused(random.skip("ana"), "kill_switch")
        assert 0 < refused.retry_after_s <= 60
        assert (await random.state("ana")).status == "in_call"
        await trio.sleep(refused.retry_after_s)
        assert (await random.skip("ana")).status in ("searching", "cooldown")
        assert _refusals(random, "kill_switch") == 1


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
        first = await _call(random, "ana", "bob")
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
