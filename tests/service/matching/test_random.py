"""Random in the whole product (MAT-1..5, INV-2, INV-5, MOD-2, ABU-7): people join over HTTP,
every tab of theirs hears `match.*` over /ws, a match becomes a `random` call the orchestrator
makes for both (the matching service's agreement), a skip ends it and puts both back."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import trio
import trio.testing

from tests.service.matching.conftest import matching
from tests.service.matching.conftest import post
from tests.service.matching.conftest import types
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World

SKIP_AFTER_S = 2.0


async def _found(world: World, *tabs: Any) -> list[dict[str, Any]]:
    """Each tab's `match.found`, skipping what comes before it. The call is made by the SFU on
    its own thread, so this waits for the event rather than for trio's tasks to settle."""
    found = []
    for tab in tabs:
        while (event := await tab.next())["type"] != "match.found":
            assert event["type"] != "match.ended", event
        found.append(event)
    return found


async def _until_ended(tab: Any, session_id: str) -> list[dict[str, Any]]:
    """What a tab gets until its call has ended: the SFU revokes on its own thread, so this waits
    for the event rather than for trio's tasks to settle."""
    seen = []
    while True:
        seen.append(event := await tab.next())
        if event["type"] == "session.state" and event["state"] in ("ended", "failed"):
            assert event["session_id"] == session_id
            await trio.testing.wait_all_tasks_blocked()  # what matching does once it has ended
            return seen


@pytest.mark.req("MAT-1", "MAT-2", "INV-2")
async def test_two_who_join_both_get_the_same_random_call_with_each_other(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users(old=("ana", "bob"))
    ana, bob = people["ana"], people["bob"]
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab:
        status, state = await post(world, ana, "/match/join", language="pt", tags=["music"])
        assert (status, state["status"]) == (200, "searching"), state
        assert types(await ana_tab.settle()) == ["match.searching"]
        status, state = await post(world, bob, "/match/join", language="pt", tags=["film", "music"])
        assert status == 200, state
        assert state["status"] in ("connecting", "in_call")
        ana_found, bob_found = await _found(world, ana_tab, bob_tab)
        session_id = ana_found["session_id"]
        assert bob_found["session_id"] == session_id
        assert ana_found["match_id"] == bob_found["match_id"]
        assert ana_found["peer"] == {"user_id": bob.id, "handle": "bob"}
        assert bob_found["peer"] == {"user_id": ana.id, "handle": "ana"}
        status, view = await world.get(ana, f"/sessions/{session_id}")
        assert status == 200, view
        assert (view["mode"], view["intent_label"], view["state"]) == ("random", "random", "active")
        assert sorted(view["participants"]) == sorted([ana.id, bob.id])
        status, state = await world.get(bob, "/match/state")
        assert (state["status"], state["session_id"], state["peer"]["handle"]) == (
            "in_call", session_id, "ana",
        )  # fmt: skip
    # Their tabs closed and did not come back within the grace: both left.
    await world.advance(mock_clock, world.config.limits.matching.socket_grace_s)
    assert (await world.get(bob, "/match/state"))[1]["status"] == "idle"


@pytest.mark.req("MAT-5", "MAT-4")
async def test_a_skip_ends_the_call_and_both_search_again_told_and_never_meet_again_soon(
    world: World, mock_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    people = await world.users(old=("ana", "bob", "cyd"))
    ana, bob, cyd = people["ana"], people["bob"], people["cyd"]
    caplog.set_level(logging.INFO, logger="vvtv.telemetry")
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab, world.tab(cyd) as cyd_tab:
        await post(world, ana, "/match/join")
        await post(world, bob, "/match/join")
        [found] = await _found(world, ana_tab)
        await bob_tab.settle()
        status, early = await post(world, ana, "/match/skip")
        assert (status, early["code"]) == (429, "too_early")
        assert 0 < early["retry_after_s"] <= SKIP_AFTER_S
        await world.advance(mock_clock, SKIP_AFTER_S)
        status, state = await post(world, ana, "/match/skip")
        assert (status, state["status"]) == (200, "searching"), state
        seen = await _until_ended(bob_tab, found["session_id"])
        assert [(e["reason"], e["session_id"]) for e in seen if e["type"] == "match.ended"] == [
            ("peer_skipped", found["session_id"])
        ]
        assert [e["type"] for e in matching(seen)][-1] == "match.searching"
        assert (await world.get(bob, "/match/state"))[1]["status"] == "searching"
        # A third arrives: bob (back first) meets cyd; ana and bob are not paired again.
        await post(world, cyd, "/match/join")
        [bob_next, cyd_next] = await _found(world, bob_tab, cyd_tab)
        assert cyd_next["session_id"] == bob_next["session_id"]
        assert bob_next["peer"]["handle"] == "cyd"
        assert bob_next["session_id"] != found["session_id"]
        assert (await world.get(ana, "/match/state"))[1]["status"] == "searching"
    chain = [r.event for r in caplog.records if r.name == "vvtv.telemetry"]  # type: ignore[attr-defined]
    for step in ("match_join", "match_searching", "match_found", "session_created",
                 "match_skip", "session_ended"):  # fmt: skip
        assert step in chain, (step, chain)
    assert chain.index("match_join") < chain.index("match_found") < chain.index("match_skip")
    assert chain.index("session_created") < chain.index("match_skip") < chain.index("session_ended")
    metrics = (await (await world.client.get("/metrics")).get_data()).decode()
    assert 'vvtv_matching_pairs_total{pool="open"} 2.0' in metrics
    assert 'vvtv_matching_refusals_total{code="too_early"} 1.0' in metrics
    assert "vvtv_matching_skips_total 1.0" in metrics


@pytest.mark.req("INV-5", "MOD-7")
async def test_a_party_member_who_did_not_join_is_never_matched(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users(old=("ana", "pam"))
    ana, pam = people["ana"], people["pam"]
    async with world.tab(pam) as pam_tab, world.tab(ana) as ana_tab:
        await pam_tab.set(presence_mode="party", language="en")
        await post(world, ana, "/match/join", language="en")
        await world.advance(mock_clock, world.config.limits.matching.relax_after_s + 1)
        await world.set(pam)  # still in Party, alive
        state = (await world.get(ana, "/match/state"))[1]
        assert state["status"] == "searching"
        assert types(await ana_tab.settle()) == ["match.searching"]
        assert types(await pam_tab.settle()) == []


@pytest.mark.req("MOD-2")
async def test_a_block_from_within_a_call_ends_it_and_the_two_never_meet_again(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users(old=("ana", "bob"))
    ana, bob = people["ana"], people["bob"]
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab:
        await post(world, ana, "/match/join")
        await post(world, bob, "/match/join")
        [found, _] = await _found(world, ana_tab, bob_tab)
        status, _ = await post(world, ana, f"/blocks/{bob.id}")
        assert status == 201
        told = {}
        for user, tab in (("ana", ana_tab), ("bob", bob_tab)):
            seen = await _until_ended(tab, found["session_id"])
            told[user] = [e["reason"] for e in seen if e["type"] == "match.ended"]
        assert told == {"ana": ["blocked"], "bob": ["peer_left"]}  # bob is not told why
        window = world.config.limits.matching.no_repeat_window_s
        await world.advance(mock_clock, window + 1)
        assert (await world.get(ana, "/match/state"))[1]["status"] == "searching"
        assert (await world.get(bob, "/match/state"))[1]["status"] == "searching"


@pytest.mark.req("MAT-1", "ABU-3")
async def test_the_last_tab_closing_leaves_the_queue_after_the_grace_and_a_reload_does_not(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    grace = world.config.limits.matching.socket_grace_s
    people = await world.users(old=("ana",))
    ana: User = people["ana"]
    async with world.tab(ana), world.tab(ana):
        await post(world, ana, "/match/join")
    await world.advance(mock_clock, grace - 1)
    async with world.tab(ana) as reloaded:  # the page reloaded: its new socket
        await world.advance(mock_clock, 2)
        assert (await world.get(ana, "/match/state"))[1]["status"] == "searching"
        assert types(await reloaded.settle()) == []  # nothing happened, nothing is told
    await world.advance(mock_clock, grace - 0.5)
    assert (await world.get(ana, "/match/state"))[1]["status"] == "searching"
    await world.advance(mock_clock, 0.5)
    assert (await world.get(ana, "/match/state"))[1]["status"] == "idle"


@pytest.mark.req("MAT-5", "ABU-1", "ABU-2", "ABU-6")
async def test_ending_the_call_through_the_session_is_your_skip_and_costs_its_wait(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """bob ends the call with POST /sessions/{id}/end at once (sooner than a skip is allowed):
    the call is over, so it is his skip, counted (the cooldown schedule, the skips-a-minute
    switch), and he waits out what `too_early` would have made him wait; ana is told he
    skipped and searches at once."""
    people = await world.users(old=("ana", "bob"))
    ana, bob = people["ana"], people["bob"]
    caplog.set_level(logging.INFO, logger="vvtv.telemetry")
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab:
        await post(world, ana, "/match/join")
        await post(world, bob, "/match/join")
        [found, _] = await _found(world, ana_tab, bob_tab)
        status, _ = await post(world, bob, f"/sessions/{found['session_id']}/end", reason="user")
        assert status == 200
        seen = await _until_ended(ana_tab, found["session_id"])
        told = matching(seen + await ana_tab.settle())
        assert [(e["type"], e.get("reason")) for e in told] == [
            ("match.ended", "peer_skipped"),
            ("match.searching", None),
        ]
        status, state = await world.get(bob, "/match/state")
        assert state["status"] == "cooldown", state
        assert state["cooldown_until"] is not None
        assert "match.cooldown" in types(await bob_tab.settle())
    metrics = (await (await world.client.get("/metrics")).get_data()).decode()
    assert "vvtv_matching_skips_total 1.0" in metrics
    blocked = [r for r in caplog.records if getattr(r, "event", None) == "match_blocked"]
    assert blocked, "the too-early end is counted as an anti-abuse hit"


@pytest.mark.req("INV-7", "MAT-1")
async def test_random_pauses_while_the_kill_switch_ladder_says_so(world: World) -> None:
    """An admin pins the ladder at `random_paused`: whoever searches is stopped and told
    `random_closed`, a join is a 503 `random_closed`; unpinned, joins work again."""
    people = await world.users(old=("ana", "bob"))
    ana, bob = people["ana"], people["bob"]
    ladder = world.services.kill_switch
    paused_at = world.config.limits.kill_switches.ladder.steps.index("random_paused") + 1
    async with world.tab(ana) as ana_tab:
        await post(world, ana, "/match/join")
        await ana_tab.settle()
        await ladder.override("operator", paused_at, "drill")
        await trio.testing.wait_all_tasks_blocked()
        refused = [e for e in matching(await ana_tab.settle()) if e["type"] == "match.refused"]
        assert [(e["code"], e["retry_after_s"]) for e in refused] == [("random_closed", None)]
        assert (await world.get(ana, "/match/state"))[1]["status"] == "idle"
        status, problem = await post(world, bob, "/match/join")
        assert (status, problem["code"]) == (503, "random_closed"), problem
        await ladder.override("operator", None, "drill over")
        await trio.testing.wait_all_tasks_blocked()
        status, state = await post(world, bob, "/match/join")
        assert (status, state["status"]) == (200, "searching")


@pytest.mark.req("MOD-6", "MOD-4")
async def test_a_new_account_is_told_of_its_quarantine_and_a_shadow_one_is_not(
    world: World,
) -> None:
    people = await world.users("nina", old=("ana", "sam"))
    moderator = await world.moderator()
    response = await world.client.post(
        f"/admin/users/{people['sam'].id}/quarantine", json={"reason": "looking into it"},
        headers=moderator.headers,
    )  # fmt: skip
    assert response.status_code == 200
    quarantine = world.config.limits.anti_abuse.quarantine
    status, nina = await world.get(people["nina"], "/match/state")
    assert status == 200
    assert nina["quarantine"] == {
        "account_age_days": quarantine.account_age_days,
        "max_matches_per_hour": quarantine.max_matches_per_hour,
        "max_video_bitrate_kbps": quarantine.max_video_bitrate_kbps,
        "max_fps": quarantine.max_fps,
    }
    assert nina["matches_left"] == quarantine.max_matches_per_hour
    for old in ("ana", "sam"):
        state = (await world.get(people[old], "/match/state"))[1]
        assert state["quarantine"] is None, old
        assert state["matches_left"] == world.config.limits.anti_abuse.max_matches_per_hour


@pytest.mark.req("ABU-7")
async def test_refusals_are_problems_with_their_code_and_retry_after(world: World) -> None:
    people = await world.users(old=("ana",))
    ana = people["ana"]
    status, problem = await post(world, ana, "/match/skip")
    assert (status, problem["code"]) == (409, "not_in_call")
    await post(world, ana, "/match/join")
    await post(world, ana, "/match/leave")
    response = await world.client.post("/match/join", json={}, headers=ana.headers)
    problem = await response.get_json()
    assert (response.status_code, problem["code"]) == (429, "reconnect_budget")
    assert problem["retry_after_s"] > 0
    assert response.headers["Retry-After"] == "2"
    status, problem = await post(world, ana, "/match/join", tags=[f"t{n}" for n in range(20)])
    assert (status, problem["code"]) == (400, "too_many_tags")
