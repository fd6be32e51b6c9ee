"""The report an automated frame check raises (MOD-1), the port it goes through, and the holder
that keeps it until the moderation context takes them: in memory only, each still dropped
`media.frame_checks.still_ttl_s` after it was taken (TEL-3: a frame is never written anywhere)."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from vvtv.clock import WallClock

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AutomatedReport:
    """MOD-1's metadata as the SFU knows it: the reported stream's session and publisher, the
    reason (config's), and the still that scored `score`."""

    report_id: str
    target_user_id: str
    session_id: str
    reason_code: str
    score: float
    still: bytes  # JPEG
    taken_at: datetime


class ReportSink(Protocol):
    """Where automated reports go: the moderation context's queue, once wired (`raise_report`)."""

    async def raise_report(self, report: AutomatedReport) -> None: ...


class HeldReports:
    """A `ReportSink` that holds the reports itself, in memory, each only until its still
    expires: what runs until the moderation context's queue is wired in (and for tests)."""

    def __init__(self, ttl_s: float, clock: WallClock) -> None:
        self._ttl = timedelta(seconds=ttl_s)
        self._clock = clock
        self._held: deque[AutomatedReport] = deque()  # oldest first

    async def raise_report(self, report: AutomatedReport) -> None:
        self._drop_expired()
        self._held.append(report)
        # What the operator's log may say: who, where, why, never the frame (TEL-3).
        log.warning(
            "frame check reported %s in session %s (score %.2f, %s)",
            report.target_user_id,
            report.session_id,
            report.score,
            report.reason_code,
        )

    def held(self) -> tuple[AutomatedReport, ...]:
        self._drop_expired()
        return tuple(self._held)

    def _drop_expired(self) -> None:
        now = self._clock()
        while self._held and self._held[0].taken_at + self._ttl <= now:
            self._held.popleft()
