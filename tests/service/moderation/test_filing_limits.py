"""What a report may claim and how often (MOD-1, MOD-5, ABU-7): its `session_id` must be a session
the reporter takes or took part in, asked of the session orchestrator (an outsider cannot hang a
report on someone else's call); and one reporter files at most `reports.file_rate` reports per
sliding window, from any route: beyond it 429 `report_rate_limited` with `Retry-After`."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trio.testing
from msgspec.structs import replace

from tests.service.chat.conftest import open_world
from tests.service.moderation.conftest import call
from tests.service.moderation.conftest import file
from tests.service.moderation.conftest import said_to
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from tests.service.tiles.conftest import start_session
from vvtv.config import ConfigBundle

MAX, WINDOW_S = 3, 60.0


@pytest.fixture
async def strict_world(cheap_config: ConfigBundle, tmp_path: Path) -> AsyncIterator[World]:
    """The product with a filing rate of its own, small enough to reach."""
    reports = cheap_config.limits.reports
    rate = replace(reports.file_rate, max=MAX, window_s=WINDOW_S)
    limits = replace(cheap_config.limits, reports=replace(reports, file_rate=rate))
    async with open_world(replace(cheap_config, limits=limits), tmp_path / "var") as world:
        yield world


async def _filing(world: World, user: User, body: dict[str, Any]) -> tuple[int, Any, Any]:
    """Status, answer and Retry-After of `POST /reports` as `user`."""
    response = await world.client.post("/reports", json=body, headers=user.headers)
    return response.status_code, await response.get_json(), response.headers.get("Retry-After")


@pytest.mark.req("MOD-1", "ABU-7")
async def test_a_reporter_beyond_the_filing_rate_waits_as_retry_after_says(
    strict_world: World, mock_clock: trio.testing.MockClock
) -> None:
    world = strict_world
    people = await world.users("ana", "bob", "cyd")
    ana, bob, cyd = people["ana"], people["bob"], people["cyd"]
    tid, message_id = await said_to(world, ana, bob, "rude")
    by_card = {"target_user_id": bob.id, "reason_code": "spam", "context": "profile_card"}
    # A refused filing costs nothing: a reason not offered, then one about yourself.
    assert (await _filing(world, ana, {**by_card, "reason_code": "boring"}))[0] == 400
    assert (await _filing(world, ana, {**by_card, "target_user_id": ana.id}))[0] == 400
    for _ in range(MAX - 1):
        await file(world, ana, bob)
    # The chat route files into the same queue, and counts the same.
    chat_report = {"reason_code": "harassment", "message_ids": [message_id]}
    status, _ = await call(world, ana, "POST", f"/chat/{tid}/report", chat_report)
    assert status == 201
    status, refused, retry_after = await _filing(world, ana, by_card)
    assert (status, refused["code"]) == (429, "report_rate_limited")
    assert (refused["retry_after_s"], retry_after) == (WINDOW_S, str(math.ceil(WINDOW_S)))
    status, refused = await call(world, ana, "POST", f"/chat/{tid}/report", chat_report)
    assert (status, refused["code"]) == (429, "report_rate_limited")
    # Another reporter has a window of their own.
    await file(world, cyd, bob)
    # Half the window on, still refused, for the half that is left.
    await world.advance(mock_clock, WINDOW_S / 2)
    status, refused, retry_after = await _filing(world, ana, by_card)
    assert (status, refused["retry_after_s"], retry_after) == (429, WINDOW_S / 2, "30")
    # Once the window has passed, `MAX` more, and no more.
    await world.advance(mock_clock, WINDOW_S / 2)
    for _ in range(MAX):
        await file(world, ana, bob)
    assert (await _filing(world, ana, by_card))[0] == 429
    mod = await world.moderator()
    _, page = await call(world, mod, "GET", "/admin/reports", target_user_id=bob.id)
    assert len(page["reports"]) == 2 * MAX + 1  # the refused ones were never filed


@pytest.mark.req("MOD-1", "MOD-5")
async def test_a_reports_session_must_be_one_the_reporter_is_or_was_in(world: World) -> None:
    people = await world.users("ana", "bob", "eve")
    ana, bob, eve = people["ana"], people["bob"], people["eve"]
    mine = await start_session(world, ana)
    ended = await start_session(world, ana)
    response = await world.client.post(
        f"/sessions/{ended}/end", json={"reason": "user"}, headers=ana.headers
    )
    assert response.status_code == 200, await response.get_json()
    theirs = await start_session(world, bob)
    video = {"target_user_id": bob.id, "reason_code": "sexual_content", "context": "tile"}
    # Her own session, and one she took part in that has ended since.
    for session_id in (mine, ended):
        status, receipt = await call(
            world, ana, "POST", "/reports", {**video, "session_id": session_id}
        )
        assert status == 201, receipt
    # Another user's session (Bob's own, reported by Eve who was never in it), or none at all.
    for who, session_id in ((eve, theirs), (ana, theirs), (eve, mine), (ana, "f" * 32)):
        body = {**video, "session_id": session_id}
        status, refused = await call(world, who, "POST", "/reports", body)
        assert (status, refused["code"], refused["path"]) == (400, "invalid_report", "session_id")
    # The chat route carries a session too, checked the same way.
    tid, message_id = await said_to(world, eve, bob, "hi")
    chat_report = {"reason_code": "spam", "message_ids": [message_id]}
    status, refused = await call(
        world, eve, "POST", f"/chat/{tid}/report", {**chat_report, "session_id": theirs}
    )
    assert (status, refused["code"], refused["path"]) == (400, "invalid_report", "session_id")
    status, _ = await call(world, eve, "POST", f"/chat/{tid}/report", chat_report)
    assert status == 201
    mod = await world.moderator()
    _, page = await call(world, mod, "GET", "/admin/reports")
    assert sorted(r["session_id"] or "" for r in page["reports"]) == sorted(["", mine, ended])
