"""The moderators' console over HTTP and /ws (MOD-3/4/5, TEL-6): claims, each decision and what it
does to the account, bulk decisions for a raid, filters, and one history per user."""

from __future__ import annotations

import pytest
from quart.testing.connections import WebsocketDisconnectError

from tests.accounts import staff
from tests.service.moderation.conftest import call
from tests.service.moderation.conftest import file
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World


async def _second_moderator(world: World) -> User:
    tokens = await staff(world.services, world.client, "mona", "mod")
    return User("mona", tokens["user"]["id"], tokens)


@pytest.mark.req("MOD-5")
async def test_a_claimed_report_is_decided_by_its_claimer_only(world: World) -> None:
    people = await world.users("ana", "bob")
    report_id = await file(world, people["ana"], people["bob"])
    moira, mona = await world.moderator(), await _second_moderator(world)
    status, claimed = await call(world, moira, "POST", f"/admin/reports/{report_id}/claim", {})
    assert (status, claimed["status"], claimed["claimed_by"]["handle"]) == (200, "claimed", "moira")
    assert (await call(world, moira, "POST", f"/admin/reports/{report_id}/claim", {}))[0] == 200
    status, refused = await call(world, mona, "POST", f"/admin/reports/{report_id}/claim", {})
    assert (status, refused["code"]) == (409, "claimed_by_other")
    ban = {"action": "ban", "reason": "not yours"}
    status, refused = await call(world, mona, "POST", f"/admin/reports/{report_id}/decision", ban)
    assert (status, refused["code"]) == (409, "claimed_by_other")
    assert world.services.identity.user_view(people["bob"].id).banned_until is None
    dismiss = {"action": "dismiss", "reason": "banter between friends"}
    status, done = await call(world, moira, "POST", f"/admin/reports/{report_id}/decision", dismiss)
    assert (status, done["decided"]) == (200, [report_id])
    status, again = await call(
        world, moira, "POST", f"/admin/reports/{report_id}/decision", dismiss
    )
    assert (status, again["code"]) == (409, "already_decided")
    assert (await call(world, moira, "GET", "/admin/reports/999999"))[0] == 404


@pytest.mark.req("MOD-3", "TEL-6")
async def test_a_timed_ban_signs_the_user_out_and_is_in_their_history(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    report_id = await file(world, ana, bob, reason_code="hate")
    mod = await world.moderator()
    async with world.tab(bob) as tab:
        ban = {"action": "ban", "reason": "hate speech", "duration_s": 3600}
        status, done = await call(world, mod, "POST", f"/admin/reports/{report_id}/decision", ban)
        assert (status, done["target_user_ids"]) == (200, [bob.id]), done
        while (event := await tab.next())["type"] != "banned":
            pass
        assert event["until"] is not None  # timed
        with pytest.raises(WebsocketDisconnectError) as closed:
            await tab.socket.receive()
        assert closed.value.args[0] == 4403
    status, refused = await call(world, bob, "GET", "/me")
    assert (status, refused["code"]) == (403, "banned")
    status, history = await call(world, mod, "GET", f"/admin/users/{bob.id}/history")
    assert status == 200, history
    actions = [(e["action"], e["actor_id"], e["reason"]) for e in history["entries"]]
    assert actions == [
        ("moderation.ban", mod.id, "hate speech"),
        ("ban", mod.id, "hate speech"),
        ("report.filed", ana.id, "hate"),
    ]
    assert history["entries"][0]["detail"] == {"report_ids": [report_id], "duration_s": 3600}
    too_long = world.config.limits.auth.ban_max_duration_s + 1
    other = await file(world, ana, bob)
    body = {"action": "ban", "reason": "x", "duration_s": too_long}
    status, refused = await call(world, mod, "POST", f"/admin/reports/{other}/decision", body)
    assert (status, refused["code"]) == (400, "invalid_decision")


@pytest.mark.req("MOD-5", "TEL-6")
async def test_a_warning_reaches_the_users_tab_now_and_their_next_load(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    report_id = await file(world, ana, bob)
    mod = await world.moderator()
    async with world.tab(bob) as tab:
        warn = {"action": "warn", "reason": "Keep it civil, please."}
        status, _ = await call(world, mod, "POST", f"/admin/reports/{report_id}/decision", warn)
        assert status == 200
        [event] = [e for e in await tab.settle() if e["type"] == "moderation.warning"]
        assert event["reason"] == "Keep it civil, please."
    status, listed = await call(world, bob, "GET", "/moderation/warnings")
    assert [w["reason"] for w in listed["warnings"]] == ["Keep it civil, please."]
    warning_id = listed["warnings"][0]["id"]
    # Someone else's warning: no such warning of theirs.
    status, refused = await call(world, ana, "POST", f"/moderation/warnings/{warning_id}/seen", {})
    assert (status, refused["code"]) == (404, "warning_not_found")
    assert (await call(world, ana, "GET", "/moderation/warnings"))[1]["warnings"] == []
    status, after = await call(world, bob, "POST", f"/moderation/warnings/{warning_id}/seen", {})
    assert (status, after["warnings"]) == (200, [])
    assert world.services.identity.user_view(bob.id).banned_until is None


@pytest.mark.req("MOD-4", "MOD-6")
async def test_quarantines_limit_the_account_and_only_the_visible_one_tells_it(
    world: World,
) -> None:
    people = await world.users("ana", old=("bob", "cid"))  # not new: only the decision limits
    ana, bob, cid = people["ana"], people["bob"], people["cid"]
    mod = await world.moderator()
    shadow, visible = await file(world, ana, bob), await file(world, ana, cid)
    body = {"action": "shadow_quarantine", "reason": "investigating"}
    assert (await call(world, mod, "POST", f"/admin/reports/{shadow}/decision", body))[0] == 200
    body = {"action": "quarantine", "reason": "You are limited for a week."}
    assert (await call(world, mod, "POST", f"/admin/reports/{visible}/decision", body))[0] == 200
    identity = world.services.identity
    assert identity.user_view(bob.id).shadow_quarantine
    assert (identity.is_quarantined(bob.id), identity.is_quarantined(cid.id)) == (True, True)
    assert not identity.user_view(cid.id).shadow_quarantine  # visible: its own column (MOD-6)
    assert identity.user_view(cid.id).quarantined_until == "permanent"
    assert (await call(world, bob, "GET", "/me"))[1]["flags"]["quarantined"] is False
    assert (await call(world, cid, "GET", "/me"))[1]["flags"]["quarantined"] is True
    assert (await call(world, bob, "GET", "/moderation/warnings"))[1]["warnings"] == []
    told = (await call(world, cid, "GET", "/moderation/warnings"))[1]["warnings"]
    assert [w["reason"] for w in told] == ["You are limited for a week."]


@pytest.mark.req("MOD-3", "AUTH-4")
async def test_a_moderator_cannot_ban_an_admin_and_the_report_stays_open(world: World) -> None:
    ana = (await world.users("ana"))["ana"]
    tokens = await staff(world.services, world.client, "root", "admin")
    admin = User("root", tokens["user"]["id"], tokens)
    report_id = await file(world, ana, admin)
    mod = await world.moderator()
    body = {"action": "ban", "reason": "coup"}
    status, refused = await call(world, mod, "POST", f"/admin/reports/{report_id}/decision", body)
    assert (status, refused["code"]) == (403, "outranked")
    status, detail = await call(world, mod, "GET", f"/admin/reports/{report_id}")
    assert detail["report"]["status"] == "claimed"  # held by the mod, never decided
    assert detail["report"]["decision"] is None


@pytest.mark.req("MOD-3", "MOD-5", "TEL-6")
async def test_a_raid_is_decided_in_bulk_each_account_once(world: World) -> None:
    people = await world.users("ana", "ben", "rai", "ryo")
    ana, ben, r1, r2 = people["ana"], people["ben"], people["rai"], people["ryo"]
    ids = [await file(world, reporter, raider) for reporter in (ana, ben) for raider in (r1, r2)]
    mod, other = await world.moderator(), await _second_moderator(world)
    held = await file(world, ana, r1)
    assert (await call(world, other, "POST", f"/admin/reports/{held}/claim", {}))[0] == 200
    tokens = await staff(world.services, world.client, "root", "admin")
    above = await file(world, ana, User("root", tokens["user"]["id"], tokens))  # outranks a mod
    body = {"report_ids": [*ids, held, above, 999999], "action": "ban", "reason": "raid"}
    status, done = await call(world, mod, "POST", "/admin/reports/bulk", body)
    assert status == 200, done
    assert (done["decided"], sorted(done["skipped"])) == (ids, sorted([held, above, 999999]))
    assert done["target_user_ids"] == [r1.id, r2.id]
    for raider in (r1, r2):
        assert (await call(world, raider, "GET", "/me"))[0] == 403
        _, history = await call(world, mod, "GET", f"/admin/users/{raider.id}/history")
        [ban] = [e for e in history["entries"] if e["action"] == "moderation.ban"]
        assert ban["detail"]["report_ids"] == [i for i in ids if i in ban["detail"]["report_ids"]]
        assert len(ban["detail"]["report_ids"]) == 2  # its own two reports, one ban
    assert (await call(world, User("root", "", tokens), "GET", "/me"))[0] == 200
    warn_with_length = {**body, "report_ids": [held], "duration_s": 5, "action": "warn"}
    status, refused = await call(world, mod, "POST", "/admin/reports/bulk", warn_with_length)
    assert (status, refused["code"]) == (400, "invalid_decision")


@pytest.mark.req("MOD-5")
async def test_the_queue_filters_by_status_reason_and_context_and_pages(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    spam = [await file(world, ana, bob, reason_code="spam", context="live") for _ in range(3)]
    hate = await file(world, ana, bob, reason_code="hate", context="random")
    mod = await world.moderator()
    await call(
        world,
        mod,
        "POST",
        f"/admin/reports/{spam[0]}/decision",
        {"action": "dismiss", "reason": "x"},
    )

    async def ids(**query: object) -> list[int]:
        status, page = await call(world, mod, "GET", "/admin/reports", **query)
        assert status == 200, page
        return [r["id"] for r in page["reports"]]

    assert await ids(reason_code="spam") == spam
    assert await ids(context="random") == [hate]
    assert await ids(status="open") == [spam[1], spam[2], hate]
    assert await ids(status="decided") == [spam[0]]
    assert await ids(status="open", reason_code="spam", context="live") == spam[1:]
    assert await ids(target_user_id=ana.id) == []
    _, first = await call(world, mod, "GET", "/admin/reports", limit=2)
    assert ([r["id"] for r in first["reports"]], first["next_after_id"]) == (spam[:2], spam[1])
    _, rest = await call(world, mod, "GET", "/admin/reports", limit=2, after_id=spam[1])
    assert ([r["id"] for r in rest["reports"]], rest["next_after_id"]) == ([spam[2], hate], None)
    too_many = world.config.limits.reports.queue_page_max + 1
    assert (await call(world, mod, "GET", "/admin/reports", limit=too_many))[0] == 400
    assert (await call(world, mod, "GET", "/admin/reports", status="lost"))[0] == 400
