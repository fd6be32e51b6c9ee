"""MOD-6: a new account is limited, each limit from config, and is told which: `GET /me` names
them; it invites other new accounts only (403 `quarantine_invite` otherwise) and chats at the
quarantine's rate on top of each scope's. Random's quarantine pool is matching's (ABU-4). A
moderator's quarantine gives an old account the same limits, shown alike, until it ends."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
import trio.testing

from tests.service.aged_accounts import aged
from tests.service.chat.conftest import open_thread
from tests.service.chat.conftest import post
from tests.service.moderation.conftest import call
from tests.service.moderation.conftest import file
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from tests.service.presence.conftest import world

__all__ = ["world"]

pytestmark = pytest.mark.req("MOD-6", "ABU-7")


async def test_a_new_account_is_told_its_limits_and_an_old_one_none(world: World) -> None:
    people = await aged(world, neo=1, old=30)
    quarantine = world.config.limits.anti_abuse.quarantine
    _, me = await world.get(people["neo"], "/me")
    assert me["flags"]["quarantined"] is True
    terms = me["flags"]["quarantine"]
    until = datetime.fromisoformat(me["created_at"]) + timedelta(days=quarantine.account_age_days)
    assert datetime.fromisoformat(terms["until"]) == until
    assert {k: v for k, v in terms.items() if k != "until"} == _terms(world, "new_account")
    _, me = await world.get(people["old"], "/me")
    assert (me["flags"]["quarantined"], me["flags"]["quarantine"]) == (False, None)


async def test_a_new_account_invites_other_new_accounts_only(world: World) -> None:
    people = await aged(world, neo=1, kid=2, kit=2.5, old=30)

    async def invite(who: str, whom: str) -> tuple[int, dict[str, object]]:
        response = await world.client.post(
            "/consent/invites", json={"invitee_id": people[whom].id}, headers=people[who].headers
        )
        return response.status_code, await response.get_json()

    status, body = await invite("neo", "old")
    assert (status, body["code"], body["path"]) == (403, "quarantine_invite", "invitee_id")
    assert (await invite("neo", "kid"))[0] == 201
    assert (await invite("old", "kit"))[0] == 201  # an old account may invite a new one


async def test_a_new_account_chats_at_the_quarantines_rate(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await aged(world, neo=1, old=30)
    rate = world.config.limits.anti_abuse.quarantine.chat
    for handle in people:
        _, thread = await open_thread(world, people[handle], scope="room", room="party")
    tid = thread["thread_id"]
    for n in range(rate.max_messages):
        assert (await post(world, people["neo"], tid, f"hi {n}"))[0] == 200
        assert (await post(world, people["old"], tid, f"hey {n}"))[0] == 200
    status, body = await post(world, people["neo"], tid, "one more")
    assert (status, body["code"]) == (429, "chat_rate_limited")
    assert 0 < body["retry_after_s"] <= rate.window_s
    assert (await post(world, people["old"], tid, "one more"))[0] == 200  # not new: not limited
    await world.advance(mock_clock, rate.window_s)
    assert (await post(world, people["neo"], tid, "later"))[0] == 200


async def test_a_moderators_quarantine_limits_an_old_account_shows_and_ends(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    """MOD-6 for a moderator's decision: the account gets a new account's limits, each from
    config, and sees them (GET /me, `cause` moderator) until the decision's duration runs out.
    The decision and the account operation are both in the account's history."""
    people = await aged(world, ana=30, bob=30, kid=1)
    ana, bob = people["ana"], people["bob"]
    quarantine = world.config.limits.anti_abuse.quarantine
    mod = await world.moderator()
    report = await file(world, ana, bob)
    # Shorter than a sign-in's access token, so the same tokens ask again once it ends.
    minutes = int(world.config.limits.auth.tokens.access_ttl_s // 2)
    decision = {"action": "quarantine", "reason": "spamming rooms", "duration_s": minutes}
    status, done = await call(world, mod, "POST", f"/admin/reports/{report}/decision", decision)
    assert status == 200, done
    assert done["target_user_ids"] == [bob.id]

    _, me = await world.get(bob, "/me")
    assert me["flags"]["quarantined"] is True
    terms = me["flags"]["quarantine"]
    assert datetime.fromisoformat(terms["until"]) == world.wall() + timedelta(seconds=minutes)
    assert {k: v for k, v in terms.items() if k != "until"} == _terms(world, "moderator")
    status, body = await _invite(world, bob, ana)
    assert (status, body["code"], body["path"]) == (403, "quarantine_invite", "invitee_id")
    assert (await _invite(world, bob, people["kid"]))[0] == 201  # a new account: in quarantine too
    _, random = await world.get(bob, "/match/state")  # Random's quarantine pool, told (ABU-4/5)
    assert random["quarantine"]["max_matches_per_hour"] == quarantine.max_matches_per_hour
    assert random["matches_left"] == quarantine.max_matches_per_hour

    for user in (ana, bob):
        _, thread = await open_thread(world, user, scope="room", room="party")
    tid = thread["thread_id"]
    for n in range(quarantine.chat.max_messages):
        assert (await post(world, bob, tid, f"buy {n}"))[0] == 200
    status, body = await post(world, bob, tid, "one more")
    assert (status, body["code"]) == (429, "chat_rate_limited")
    assert (await post(world, ana, tid, "hi"))[0] == 200  # ana is not limited

    _, history = await call(world, mod, "GET", f"/admin/users/{bob.id}/history")
    actions = [entry["action"] for entry in history["entries"]]
    assert actions[:3] == ["moderation.quarantine", "quarantine.visible", "report.filed"]

    await world.advance(mock_clock, minutes)
    _, me = await world.get(bob, "/me")
    assert (me["flags"]["quarantined"], me["flags"]["quarantine"]) == (False, None)
    _, random = await world.get(bob, "/match/state")
    assert random["quarantine"] is None
    assert random["matches_left"] == world.config.limits.anti_abuse.max_matches_per_hour
    assert (await _invite(world, bob, ana))[0] == 201
    for n in range(quarantine.chat.max_messages + 1):
        assert (await post(world, bob, tid, f"fine {n}"))[0] == 200


async def test_a_moderator_lifts_a_quarantine_until_lifted(world: World) -> None:
    """MOD-6: with no duration the quarantine runs until a moderator lifts it; lifting is
    audited, and a second lift of the same account is refused 409 (nothing to lift)."""
    people = await aged(world, ana=30, bob=30)
    ana, bob = people["ana"], people["bob"]
    mod = await world.moderator()
    report = await file(world, ana, bob)
    decision = {"action": "quarantine", "reason": "cool down"}
    assert (await call(world, mod, "POST", f"/admin/reports/{report}/decision", decision))[0] == 200
    _, me = await world.get(bob, "/me")
    assert me["flags"]["quarantine"]["until"] is None  # until lifted
    assert me["flags"]["quarantine"]["cause"] == "moderator"
    path = f"/admin/users/{bob.id}/quarantine"
    assert (await call(world, bob, "DELETE", path, reason="me"))[0] == 403  # users may not
    status, lifted = await call(world, mod, "DELETE", path, reason="calmer now")
    assert (status, lifted["quarantined_until"], lifted["shadow_quarantine"]) == (200, None, False)
    _, me = await world.get(bob, "/me")
    assert (me["flags"]["quarantined"], me["flags"]["quarantine"]) == (False, None)
    _, history = await call(world, mod, "GET", f"/admin/users/{bob.id}/history")
    [entry] = [e for e in history["entries"] if e["action"] == "quarantine.visible.lift"]
    assert (entry["reason"], entry["detail"]) == ("calmer now", {"was_until": "permanent"})
    long = {"action": "quarantine", "reason": "x", "duration_s": 10**9}
    report = await file(world, ana, bob)
    status, refused = await call(world, mod, "POST", f"/admin/reports/{report}/decision", long)
    assert (status, refused["code"], refused["path"]) == (400, "invalid_decision", "duration_s")


def _terms(world: World, cause: str) -> dict[str, Any]:
    """GET /me's quarantine terms but `until`: every figure config's (ABU-7)."""
    quarantine = world.config.limits.anti_abuse.quarantine
    return {
        "invites_quarantined_only": not quarantine.invite_open_accounts,
        "random_pool": "quarantine",
        "max_matches_per_hour": quarantine.max_matches_per_hour,
        "chat_max_messages": quarantine.chat.max_messages,
        "chat_window_s": quarantine.chat.window_s,
        "cause": cause,
    }


async def _invite(world: World, who: User, whom: User) -> tuple[int, dict[str, Any]]:
    response = await world.client.post(
        "/consent/invites", json={"invitee_id": whom.id}, headers=who.headers
    )
    return response.status_code, await response.get_json()
