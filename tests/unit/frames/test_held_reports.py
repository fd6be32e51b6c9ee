"""A frame check's report keeps its still only until `media.frame_checks.still_ttl_s` (TEL-3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle
from vvtv.frames.reports import AutomatedReport, HeldReports


@pytest.mark.req("TEL-3", "MOD-1")
async def test_a_still_is_dropped_when_its_time_is_up(config_bundle: ConfigBundle) -> None:
    ttl = config_bundle.limits.media.frame_checks.still_ttl_s
    clock = ManualClock(at=datetime(2026, 1, 1, tzinfo=UTC))
    held = HeldReports(ttl, clock)
    report = AutomatedReport(
        report_id="r1",
        target_user_id="ana",
        session_id="s1",
        reason_code="explicit_content",
        score=0.9,
        still=b"\xff\xd8jpeg",
        taken_at=clock(),
    )
    await held.raise_report(report)
    clock.advance(ttl - 1)
    assert held.held() == (report,)
    clock.advance(1)
    assert held.held() == ()
