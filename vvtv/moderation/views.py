"""A report as the console shows it: its people by handle, its still only while it is kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from vvtv.contracts.moderation import Person
from vvtv.contracts.moderation import ReportView
from vvtv.domain.moderation.reports import Report
from vvtv.domain.moderation.reports import still_kept


def report_view(
    report: Report, handle_of: Callable[[str], str | None], now: datetime
) -> ReportView:
    def person(user_id: str) -> Person:
        return Person(user_id=user_id, handle=handle_of(user_id))

    place, claim, decision = report.place, report.claim, report.decision
    still = still_kept(report.still, now)
    return ReportView(
        id=report.id,
        created_at=report.created_at,
        status=report.status,
        reason_code=report.reason_code,
        context=place.context,
        reporter=None if report.reporter_id is None else person(report.reporter_id),
        target=person(report.target_id),
        session_id=place.session_id,
        thread_id=place.thread_id,
        mode_id=place.mode_id,
        message_ids=list(place.message_ids),
        claimed_by=None if claim is None else person(claim.moderator_id),
        decided_by=None if decision is None else person(decision.moderator_id),
        decision=None if decision is None else decision.action,
        still_id=None if still is None else still.still_id,
        still_expires_at=None if still is None else still.expires_at,
        raised_by=report.source,
        score=report.score,
    )
