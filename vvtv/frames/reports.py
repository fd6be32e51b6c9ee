"""The report an automated frame check raises (MOD-1) and the port it goes through: the composition
root files it in moderation's one queue, where its still is kept `reports.still_ttl_s` at most
(TEL-3: the frame itself is never written anywhere else)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from vvtv.domain.values import frozen


@frozen
class AutomatedReport:
    """MOD-1's metadata as the SFU knows it: the reported stream's session and publisher, the
    reason (config's), and the still that scored `score`."""

    still_id: str
    target_user_id: str
    session_id: str
    reason_code: str
    score: float
    still: bytes  # JPEG
    taken_at: datetime


class ReportSink(Protocol):
    """Where automated reports go: moderation's queue (wired in `vvtv.assembly`)."""

    async def raise_report(self, report: AutomatedReport) -> None: ...
