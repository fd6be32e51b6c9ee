"""The consent handshake in the whole product (CNS-1..5, INV-2, OPS-5): invites over HTTP, the
events on every tab of both ends, the call the consent service starts, on trio's MockClock."""

from __future__ import annotations

from typing import Any

import pytest
import trio
import trio.testing

from tests.service.consent.conftest import invite
from tests.service.consent.conftest import post
from tests.service.presence.conftest import World


def _types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


def _consent(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The handshake's events (the orchestrator tells participants of their session too)."""
    return [event for event in events if event["type"].startswith(("consent.", "error"))]


async def _sessions(world: World) -> list[Any]:
    return list(await world.services.sessions._ports.store.unfinished())


@pytest.mark.req("CNS-1", "CNS-2", "INV-2", "OPS-5")
async def test_accepting_starts_one_private_call_for_both_and_tells_every_tab(
    world: World,
) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_1, world.tab(bob) as bob_2:
        status, made = await invite(world, ana, bob)
        assert status == 201, made
        assert made["status"] == "pending"
        for tab in (bob_1, bob_2):
            [request] = await tab.settle()
            assert request["type"] == "consent.request"
            assert request["inviter_handle"] == "ana"
            assert request["invite"]["id"] == made["id"]
            assert request["expires_at"] == made["expires_at"]
        assert await ana_tab.settle() == []

        await bob_2.send("consent.answer", invite_id=made["id"], accept=True)
        [accepted] = _consent(await bob_2.settle())  # answered in order: the call exists
        assert accepted["type"] == "consent.accepted"
        session_id = accepted["session_id"]
        for tab in (ana_tab, bob_1):  # bob_1: answered elsewhere
            assert _consent(await tab.settle()) == [accepted]

        # The first answer won: the other device's answer is refused, no second call.
        status, late = await post(world, bob, f"/consent/invites/{made['id']}/accept")
        assert (status, late["code"]) == (409, "invite_answered")
        await bob_1.send("consent.answer", invite_id=made["id"], accept=False)
        [error] = _consent(await bob_1.settle())
        assert (error["type"], error["code"]) == ("error", "invite_answered")
    for user in (ana, bob):
        status, view = await world.get(user, f"/sessions/{session_id}")
        assert status == 200, view
        assert view["mode"] == "private_call"
        assert view["intent_label"] == "private_call"
        assert sorted(view["participants"]) == sorted([ana.id, bob.id])
    status, mine = await world.get(ana, "/consent/invites")
    assert [(i["status"], i["session_id"]) for i in mine["invites"]] == [("accepted", session_id)]
    assert [session.id for session in await _sessions(world)] == [session_id]  # exactly one
    metrics = (await (await world.client.get("/metrics")).get_data()).decode()
    for outcome, count in (("pending", 1), ("accepted", 1), ("declined", 0), ("expired", 0)):
        assert f'vvtv_consent_invites_total{{outcome="{outcome}"}} {count}.0' in metrics


@pytest.mark.req("CNS-3")
async def test_declining_tells_the_inviter_and_starts_nothing(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    async with world.tab(ana) as ana_tab:
        _, made = await invite(world, ana, bob)
        status, declined = await post(world, bob, f"/consent/invites/{made['id']}/decline")
        assert (status, declined["status"]) == (200, "declined")
        assert await ana_tab.settle() == [
            {"type": "consent.declined", "v": 1, "invite_id": made["id"]}
        ]
    assert await _sessions(world) == []


@pytest.mark.req("CNS-4")
async def test_an_unanswered_invite_expires_after_timeout_s_and_starts_nothing(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    timeout_s = world.config.limits.consent.timeout_s
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab:
        _, made = await invite(world, ana, bob)
        assert _types(await bob_tab.settle()) == ["consent.request"]
        await world.advance(mock_clock, timeout_s - 0.5)
        assert await ana_tab.settle() == []
        await world.advance(mock_clock, 0.5)
        assert _types(await ana_tab.settle()) == ["consent.expired"]
        assert _types(await bob_tab.settle()) == ["consent.expired"]
        status, late = await post(world, bob, f"/consent/invites/{made['id']}/accept")
        assert (status, late["code"]) == (409, "invite_expired")
    assert await _sessions(world) == []


@pytest.mark.req("CNS-5")
async def test_a_second_invite_to_someone_already_asked_is_refused(world: World) -> None:
    people = await world.users("ana", "bob", "cyd")
    assert (await invite(world, people["ana"], people["bob"]))[0] == 201
    status, body = await invite(world, people["cyd"], people["bob"])
    assert (status, body["code"]) == (409, "invite_pending")


@pytest.mark.req("CNS-5")
@pytest.mark.parametrize("second_invite", ["queue"])
async def test_under_queue_a_second_invite_waits_and_is_asked_when_the_first_ends(
    world: World,
) -> None:
    people = await world.users("ana", "bob", "cyd")
    ana, bob, cyd = people["ana"], people["bob"], people["cyd"]
    async with world.tab(bob) as bob_tab:
        _, first = await invite(world, ana, bob)
        status, second = await invite(world, cyd, bob)
        assert (status, second["status"], second["expires_at"]) == (201, "queued", None)
        assert _types(await bob_tab.settle()) == ["consent.request"]
        await post(world, bob, f"/consent/invites/{first['id']}/decline")
        events = await bob_tab.settle()
        assert _types(events) == ["consent.declined", "consent.request"]
        assert events[1]["invite"]["id"] == second["id"]


@pytest.mark.req("MOD-2")
async def test_a_blocked_pair_cannot_invite_either_way_and_a_banned_user_cannot_be_invited(
    world: World,
) -> None:
    people = await world.users("ana", "bob", "cyd")
    ana, bob, cyd = people["ana"], people["bob"], people["cyd"]
    response = await world.client.post(f"/blocks/{bob.id}", json={}, headers=ana.headers)
    assert response.status_code == 201
    for inviter, invitee in ((ana, bob), (bob, ana)):
        status, body = await invite(world, inviter, invitee)
        assert (status, body["code"]) == (403, "blocked")
    moira = await world.moderator()
    response = await world.client.post(
        "/admin/bans", json={"user_id": cyd.id, "reason": "spam"}, headers=moira.headers
    )
    assert response.status_code in (200, 201), await response.get_data()
    status, body = await invite(world, ana, cyd)
    assert (status, body["code"]) == (403, "user_unavailable")


async def test_invite_spam_is_rate_limited(world: World) -> None:
    per_minute = world.config.limits.consent.invites_per_minute
    handles = ["ana", *(f"guest{n}" for n in range(per_minute + 1))]
    people = await world.users(*handles)
    ana = people["ana"]
    for n in range(per_minute):
        status, made = await invite(world, ana, people[f"guest{n}"])
        assert status == 201, made
    status, body = await invite(world, ana, people[f"guest{per_minute}"])
    assert (status, body["code"]) == (429, "rate_limited")


async def test_an_outsider_cannot_answer_or_cancel_someone_elses_invite(world: World) -> None:
    people = await world.users("ana", "bob", "eve")
    ana, bob, eve = people["ana"], people["bob"], people["eve"]
    _, made = await invite(world, ana, bob)
    for path in ("accept", "decline"):
        status, body = await post(world, eve, f"/consent/invites/{made['id']}/{path}")
        assert (status, body["code"]) == (404, "unknown_invite")
    response = await world.client.delete(f"/consent/invites/{made['id']}", headers=eve.headers)
    assert response.status_code == 404
    # The inviter cannot accept on the invitee's behalf.
    status, body = await post(world, ana, f"/consent/invites/{made['id']}/accept")
    assert (status, body["code"]) == (403, "not_invitee")
    assert await _sessions(world) == []


@pytest.mark.req("OPS-5")
async def test_the_inviters_last_tab_closing_cancels_the_invite(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    async with world.tab(bob) as bob_tab:
        async with world.tab(ana), world.tab(ana) as ana_2:
            _, made = await invite(world, ana, bob)
            assert _types(await bob_tab.settle()) == ["consent.request"]
        await trio.testing.wait_all_tasks_blocked()
        [cancelled] = await bob_tab.settle()
        assert cancelled == {
            "type": "consent.cancelled",
            "v": 1,
            "invite_id": made["id"],
            "reason": "tab_closed",
        }
        del ana_2
    status, late = await post(world, bob, f"/consent/invites/{made['id']}/accept")
    assert (status, late["code"]) == (409, "invite_cancelled")
    assert await _sessions(world) == []


async def test_the_inviter_withdraws(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    async with world.tab(bob) as bob_tab:
        _, made = await invite(world, ana, bob)
        response = await world.client.delete(f"/consent/invites/{made['id']}", headers=ana.headers)
        assert response.status_code == 200
        assert (await response.get_json())["reason"] == "inviter"
        assert _types(await bob_tab.settle()) == ["consent.request", "consent.cancelled"]


@pytest.mark.req("MOD-2", "CNS-2")
async def test_a_block_or_a_ban_during_the_handshake_withdraws_the_invite(world: World) -> None:
    people = await world.users("ana", "bob", "cyd")
    ana, bob, cyd = people["ana"], people["bob"], people["cyd"]
    async with world.tab(ana) as ana_tab:
        _, to_bob = await invite(world, ana, bob)
        _, to_cyd = await invite(world, ana, cyd)
        response = await world.client.post(f"/blocks/{ana.id}", json={}, headers=bob.headers)
        assert response.status_code == 201
        moira = await world.moderator()
        response = await world.client.post(
            "/admin/bans", json={"user_id": cyd.id, "reason": "spam"}, headers=moira.headers
        )
        assert response.status_code in (200, 201)
        await trio.testing.wait_all_tasks_blocked()
        # Told only that they cannot be reached: not which of a block or a ban (MOD-2).
        assert _consent(await ana_tab.settle()) == [
            {"type": "consent.cancelled", "v": 1, "invite_id": made["id"], "reason": "unavailable"}
            for made in (to_bob, to_cyd)
        ]
    status, late = await post(world, bob, f"/consent/invites/{to_bob['id']}/accept")
    assert (status, late["code"]) == (409, "invite_cancelled")
    assert await _sessions(world) == []


@pytest.mark.req("CNS-6", "INV-2")
async def test_a_pending_invite_opens_no_door_to_a_call_the_client_asks_for(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    await invite(world, ana, bob)
    for user in (ana, bob):
        status, body = await post(
            world,
            user,
            "/sessions",
            mode="private_call",
            audience_type="one_to_one",
            stream_transport="webrtc",
            intent_label="private_call",
        )
        assert (status, body["code"]) == (403, "consent_required")
    assert await _sessions(world) == []


@pytest.mark.req("CNS-1", "UI-6")
async def test_an_invite_names_both_ends_wherever_it_is_read(world: World) -> None:
    """A tab opened after the request, or a deep link, reads the invite from the API: it names
    both ends there too, not only in the `consent.request` the earlier tabs got."""
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    names = {"inviter_handle": "ana", "invitee_handle": "bob"}
    async with world.tab(bob) as bob_tab:
        status, made = await invite(world, ana, bob)
        assert status == 201, made
        assert made | names == made
        [request] = await bob_tab.settle()
        assert request["invite"] | names == request["invite"]
    for user in (ana, bob):
        status, mine = await world.get(user, "/consent/invites")
        assert status == 200, mine
        assert [invite | names == invite for invite in mine["invites"]] == [True]
    status, declined = await post(world, bob, f"/consent/invites/{made['id']}/decline")
    assert (status, declined | names == declined) == (200, True)
