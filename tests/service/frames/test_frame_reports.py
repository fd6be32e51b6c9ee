"""A frame check's report in moderation's one queue (issue 16; MOD-1, MOD-3, MOD-5, TEL-3, TEL-6):
the whole product in-process on trio's MockClock, with the SFU's score handed to the frame checks
as the SFU hands it (`FrameChecks.judge`), for sessions made through the product's own routes. The
report is raised by no one: the console sees who raised it (the frame check, its score), where
(the session's mode as the context), its still until `reports.still_ttl_s`, and a moderator claims
and decides it like any person's report."""

from __future__ import annotations

from typing import Any

import pytest
import trio

from tests.service.moderation.conftest import call
from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from tests.service.tiles.conftest import start_session
from vvtv.contracts.moderation import ReportQuery
from vvtv.media.port import FrameChecked

STILL = b"\xff\xd8 a reported frame's JPEG"


def scored(world: World, user: User, session_id: str, *, above_by: float = 0.0) -> FrameChecked:
    """What the SFU sends of `user`'s camera in `session_id`: a frame scored at `report_at` (plus
    `above_by`), with its still."""
    checks = world.config.limits.media.frame_checks
    return FrameChecked(
        publisher_id=user.id,
        session_id=session_id,
        score=min(1.0, checks.report_at + above_by),
        cpu_s=0.01,
        still=STILL,
    )


async def random_call(world: World, ana: User, bob: User) -> str:
    """Ana and Bob join Random and are matched: their call's session id."""
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab:
        for user in (ana, bob):
            response = await world.client.post("/match/join", json={}, headers=user.headers)
            assert response.status_code == 200, await response.get_json()
        # The call is made by the SFU on its own thread: wait for the event, not for trio.
        found = [await _next_of(tab, "match.found") for tab in (ana_tab, bob_tab)]
    assert found[0]["session_id"] == found[1]["session_id"]
    session_id: str = found[0]["session_id"]
    return session_id


async def _next_of(tab: Tab, kind: str) -> dict[str, Any]:
    while (event := await tab.next())["type"] != kind:
        pass
    return event


async def queue(world: World, mod: User, **filters: Any) -> list[dict[str, Any]]:
    status, page = await call(world, mod, "GET", "/admin/reports", **filters)
    assert status == 200, page
    reports: list[dict[str, Any]] = page["reports"]
    return reports


@pytest.mark.req("MOD-1", "MOD-5", "TEL-3")
async def test_a_frame_check_files_one_report_with_its_still_in_the_one_queue(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users(old=("ana", "bob"))
    ana, bob = people["ana"], people["bob"]
    mod = await world.moderator()
    session_id = await random_call(world, ana, bob)
    frames, moderation = world.services.frames, world.services.moderation
    filed_at = world.wall()

    verdict = await frames.judge(scored(world, ana, session_id))
    assert verdict.report
    # The same stream scored high again: it was reported already, no second report.
    again = await frames.judge(scored(world, ana, session_id, above_by=0.1))
    assert not again.report

    [listed] = await queue(world, mod)
    checks = world.config.limits.media.frame_checks
    assert listed["raised_by"] == "frame_check"
    assert listed["reporter"] is None
    assert listed["score"] == pytest.approx(checks.report_at)
    assert (listed["target"], listed["reason_code"], listed["status"]) == (
        {"user_id": ana.id, "handle": "ana"}, checks.report_reason, "open",
    )  # fmt: skip
    # Where: the session's mode, in the words a person's report from there uses (MOD-1).
    assert (listed["context"], listed["mode_id"], listed["session_id"]) == (
        "random", "random", session_id,
    )  # fmt: skip
    # The queue's filters take it like any report; a person's-only view leaves it out.
    assert [r["id"] for r in await queue(world, mod, raised_by="frame_check")] == [listed["id"]]
    assert [r["id"] for r in await queue(world, mod, context="random")] == [listed["id"]]
    assert [r["id"] for r in await queue(world, mod, reason_code=checks.report_reason)] == [
        listed["id"]
    ]
    assert await queue(world, mod, raised_by="person") == []
    # The still travels with the report, kept reports.still_ttl_s after it was taken (TEL-3).
    ttl = world.config.limits.reports.still_ttl_s
    assert listed["still_id"] is not None
    status, detail = await call(world, mod, "GET", f"/admin/reports/{listed['id']}")
    assert status == 200, detail
    assert detail["report"]["still_id"] == listed["still_id"]
    stored = await moderation._ports.store.get(listed["id"])
    assert stored is not None
    assert stored.still is not None
    assert stored.still.jpeg == STILL
    assert (stored.still.expires_at - filed_at).total_seconds() == pytest.approx(ttl, abs=1)
    # Who filed it, in the account's one history: the system, with its score (TEL-6).
    status, history = await call(world, mod, "GET", f"/admin/users/{ana.id}/history")
    assert status == 200, history
    [entry] = history["entries"]
    assert (entry["action"], entry["actor_id"], entry["reason"]) == (
        "report.filed", None, checks.report_reason,
    )  # fmt: skip
    assert entry["detail"]["raised_by"] == "frame_check"

    # Past its time the still is gone: not shown, and its bytes dropped by the sweep.
    await world.advance(mock_clock, ttl - 5)
    [kept] = (await moderation.queue(ReportQuery(raised_by="frame_check"))).reports
    assert kept.still_id == listed["still_id"]
    await world.advance(mock_clock, 10)
    [gone] = (await moderation.queue(ReportQuery(raised_by="frame_check"))).reports
    assert gone.still_id is None
    await moderation.load()
    stored = await moderation._ports.store.get(listed["id"])
    assert stored is not None
    assert stored.still is None


@pytest.mark.req("MOD-3", "MOD-5", "TEL-6")
async def test_a_moderator_claims_and_bans_on_a_frame_checks_report_like_any_other(
    world: World,
) -> None:
    people = await world.users("ana", "vic")
    ana = people["ana"]
    mod = await world.moderator()
    # Ana's camera in Party is seen by others as a tile.
    session_id = await start_session(world, ana, "party")
    await world.services.frames.judge(scored(world, ana, session_id))
    [listed] = await queue(world, mod, raised_by="frame_check")
    assert (listed["context"], listed["mode_id"], listed["session_id"]) == (
        "tile", "party", session_id,
    )  # fmt: skip
    report_id = listed["id"]
    status, claimed = await call(world, mod, "POST", f"/admin/reports/{report_id}/claim", {})
    assert (status, claimed["status"], claimed["claimed_by"]["handle"]) == (200, "claimed", "moira")
    assert claimed["raised_by"] == "frame_check"
    ban = {"action": "ban", "reason": "explicit on camera"}
    status, done = await call(world, mod, "POST", f"/admin/reports/{report_id}/decision", ban)
    assert (status, done["decided"], done["target_user_ids"]) == (200, [report_id], [ana.id])
    status, refused = await call(world, ana, "GET", "/me")
    assert (status, refused["code"]) == (403, "banned")
    [decided] = await queue(world, mod, status="decided")
    assert (decided["id"], decided["decision"], decided["decided_by"]["handle"]) == (
        report_id, "ban", "moira",
    )  # fmt: skip
