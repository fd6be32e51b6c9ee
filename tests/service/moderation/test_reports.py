"""Filing reports from every context (MOD-1, MOD-5): metadata, refusals, the still hook, and who
may read what (AUTH-3/4 against other users' resources)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

import pytest

from tests.service.chat.conftest import open_thread
from tests.service.chat.conftest import post
from tests.service.moderation.conftest import call
from tests.service.moderation.conftest import file
from tests.service.presence.conftest import World
from tests.service.tiles.conftest import start_session
from vvtv.contracts.moderation import ReportQuery


@pytest.mark.req("MOD-1", "MOD-5")
async def test_a_report_from_each_context_carries_its_metadata(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    mod = await world.moderator()
    _, thread = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    _, message = await post(world, bob, tid, "something rude")
    # Sessions Ana takes part in (a report's session must be one of hers).
    first, second = [await start_session(world, ana) for _ in range(2)]
    contexts = {
        "profile_card": {"mode_id": "party"},
        "random": {"session_id": first, "mode_id": "random"},
        "private_call": {"session_id": second, "mode_id": "private_call"},
        "live": {"mode_id": "live_public"},
        "tile": {"session_id": first, "mode_id": "party"},
        "chat": {"thread_id": tid, "message_ids": [message["message_id"]], "mode_id": "party"},
    }
    ids = {
        ctx: await file(world, ana, bob, context=ctx, **extra) for ctx, extra in contexts.items()
    }
    status, page = await call(world, mod, "GET", "/admin/reports")
    assert status == 200, page
    by_context = {r["context"]: r for r in page["reports"]}
    assert set(by_context) == set(contexts)
    for context, extra in contexts.items():
        listed = by_context[context]
        assert listed["id"] == ids[context]
        assert (listed["status"], listed["reason_code"]) == ("open", "harassment")
        assert listed["reporter"] == {"user_id": ana.id, "handle": "ana"}
        assert listed["target"] == {"user_id": bob.id, "handle": "bob"}
        for key, value in extra.items():
            assert listed[key] == value
        assert listed["still_id"] is None  # no frame checks yet: the hook gives nothing
    # The chat report's context, for the moderator: the reported message itself.
    status, detail = await call(world, mod, "GET", f"/admin/reports/{ids['chat']}")
    assert status == 200, detail
    assert [m["body"] for m in detail["messages"]] == ["something rude"]
    assert (detail["target"]["handle"], detail["open_reports_of_target"]) == ("bob", 6)


@pytest.mark.req("MOD-1")
async def test_reports_that_cannot_be_filed_are_refused_with_a_code(world: World) -> None:
    people = await world.users("ana", "bob", "eve")
    ana, bob, eve = people["ana"], people["bob"], people["eve"]
    _, thread = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    _, message = await post(world, bob, tid, "hello")
    base = {"target_user_id": bob.id, "reason_code": "spam", "context": "chat"}
    cases = [
        (ana, {**base, "target_user_id": ana.id}, 400, "invalid_report"),  # yourself
        (ana, {**base, "target_user_id": "nobody"}, 404, "user_not_found"),
        (ana, {**base, "reason_code": "boring"}, 400, "invalid_field"),  # not a reason at all
        # Someone else's thread: an outsider cannot hang a report on it.
        (
            eve,
            {**base, "thread_id": tid, "message_ids": [message["message_id"]]},
            400,
            "invalid_report",
        ),
        (ana, {**base, "thread_id": tid, "message_ids": ["not-in-it"]}, 400, "invalid_report"),
        (ana, {**base, "message_ids": [message["message_id"]]}, 400, "invalid_report"),  # no thread
    ]
    for who, body, status, code in cases:
        got, answer = await call(world, who, "POST", "/reports", body)
        assert (got, answer.get("code")) == (status, code), (body, answer)
    assert (await call(world, None, "POST", "/reports", base))[0] == 401


@pytest.mark.req("MOD-5")
async def test_the_offered_reasons_come_from_config(world: World) -> None:
    ana = (await world.users("ana"))["ana"]
    status, reasons = await call(world, ana, "GET", "/reports/reasons")
    assert status == 200
    assert reasons["reason_codes"] == list(world.config.limits.reports.reason_codes)


@pytest.mark.req("AUTH-4", "MOD-5")
async def test_only_moderators_and_admins_read_the_queue(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    report_id = await file(world, ana, bob)
    mod = await world.moderator()
    from tests.accounts import staff
    from tests.service.presence.conftest import User

    tokens = await staff(world.services, world.client, "root", "admin")
    admin = User("root", tokens["user"]["id"], tokens)
    reads = [
        ("GET", "/admin/reports", None),
        ("GET", f"/admin/reports/{report_id}", None),
        ("GET", f"/admin/users/{bob.id}/history", None),
    ]
    for method, path, body in reads:
        assert (await call(world, None, method, path, body))[0] == 401
        # The reporter, and the reported, alike: a user never reads a report.
        assert (await call(world, ana, method, path, body))[0] == 403
        assert (await call(world, bob, method, path, body))[0] == 403
        assert (await call(world, mod, method, path, body))[0] == 200
        assert (await call(world, admin, method, path, body))[0] == 200
    for path in (f"/admin/reports/{report_id}/claim",):
        assert (await call(world, ana, "POST", path, {}))[0] == 403
    decision = {"action": "ban", "reason": "self-serve"}
    assert (await call(world, bob, "POST", f"/admin/reports/{report_id}/decision", decision))[
        0
    ] == 403
    bulk = {"report_ids": [report_id], "action": "dismiss", "reason": "x"}
    assert (await call(world, ana, "POST", "/admin/reports/bulk", bulk))[0] == 403


@pytest.mark.req("MOD-1", "TEL-3")
async def test_a_video_report_keeps_the_streams_last_still_until_its_expiry(world: World) -> None:
    """The frame checks' hook: the still source names the reported stream's last still; the
    report keeps it only until `reports.still_ttl_s` after it was taken."""
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    mod = await world.moderator()
    moderation = world.services.moderation
    taken: list[tuple[str, str]] = []

    async def last_still(session_id: str, target_id: str) -> tuple[str, bytes, datetime]:
        taken.append((session_id, target_id))
        return "still-1", b"\xff\xd8jpeg", world.wall()

    moderation._stills = last_still
    session_id = await start_session(world, ana)
    report_id = await file(world, ana, bob, context="random", session_id=session_id)
    assert taken == [(session_id, bob.id)]
    await file(world, ana, bob, context="profile_card")  # not video: no still asked
    assert len(taken) == 1
    _status, page = await call(world, mod, "GET", "/admin/reports", context="random")
    [listed] = page["reports"]
    ttl = world.config.limits.reports.still_ttl_s
    assert listed["still_id"] == "still-1"
    expires = datetime.fromisoformat(listed["still_expires_at"])
    assert expires - world.wall() <= timedelta(seconds=ttl)
    stored = await moderation._ports.store.get(report_id)
    assert stored is not None
    assert stored.still is not None
    assert stored.still.jpeg == b"\xff\xd8jpeg"
    world.wall.advance(ttl + 1)  # (the moderator's sign-in is long over: ask the service)
    later = await moderation.queue(ReportQuery(context="random"))
    assert later.reports[0].still_id is None  # past its time it is not shown ...
    await moderation.load()  # ... and the sweep drops its bytes
    stored = await moderation._ports.store.get(report_id)
    assert stored is not None
    assert stored.still is None
