"""MOD-6: a new account is limited, each limit from config, and is told which: `GET /me` names
them; it invites other new accounts only (403 `quarantine_invite` otherwise) and chats at the
quarantine's rate on top of each scope's. Random's quarantine pool is matching's (ABU-4)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import trio.testing

from tests.service.aged_accounts import aged
from tests.service.chat.conftest import open_thread, post
from tests.service.presence.conftest import World, world

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
    assert {k: v for k, v in terms.items() if k != "until"} == {
        "invites_quarantined_only": not quarantine.invite_open_accounts,
        "random_pool": "quarantine",
        "max_matches_per_hour": quarantine.max_matches_per_hour,
        "chat_max_messages": quarantine.chat.max_messages,
        "chat_window_s": quarantine.chat.window_s,
    }
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
