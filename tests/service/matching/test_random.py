"""Random in the whole product (MAT-1..5, INV-2, INV-5, MOD-2, ABU-7): people join over HTTP,
every tab of theirs hears `match.*` over /ws, a match becomes a `random` call the orchestrator
makes for both (the matching service's agreement), a skip ends it and puts both back."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import trio
import trio.testing

from tests.service.matching.conftest import matching, post, types
from tests.service.presence.conftest import User, World

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
async def test_two_who_join_both_get_the_same_random_call_with_each_other(world: World) -> None:
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
    # Their tabs closed: both left, and their call ended.
    await trio.testing.wait_all_tasks_blocked()
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


@pytest.mark.req("MAT-1")
async def test_the_last_tab_closing_leaves_the_queue(world: World) -> None:
    people = await world.users(old=("ana",))
    ana: User = people["ana"]
    async with world.tab(ana), world.tab(ana):
        await post(world, ana, "/match/join")
    await trio.testing.wait_all_tasks_blocked()
    assert (await world.get(ana, "/match/state"))[1]["status"] == "idle"


@pytest.mark.req("MAT-2", "SES-8")
async def test_a_call_that_ends_by_itself_puts_both_back_in_the_queue(world: World) -> None:
    people = await world.users(old=("ana", "bob"))
    ana, bob = people["ana"], people["bob"]
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab:
        await post(world, ana, "/match/join")
        await post(world, bob, "/match/join")
        [found, _] = await _found(world, ana_tab, bob_tab)
        status, _ = await post(world, bob, f"/sessions/{found['session_id']}/end", reason="user")
        assert status == 200
        seen = await _until_ended(ana_tab, found["session_id"])
        told = matching(seen + await ana_tab.settle())
        assert [e["type"] for e in told] == ["match.ended", "match.searching"]
        assert told[0]["reason"] == "session_ended"
        assert (await world.get(bob, "/match/state"))[1]["status"] == "searching"


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
