"""The frame checks' service (issue 16): what each score the SFU sends does, and the still a
person's report on a stream gets.

Every checked frame is judged by `vvtv.domain.frames.verdict` against config's thresholds: its
publisher's tiles blur for every viewer (a `tile.blurred` event, which the VideoTile shows as a
CSS blur) and clear again on a lower score `unblur_after_s` later; a report with the still is
raised once per stream (through `ReportSink`: moderation's one queue); and a Random call
of theirs ends, with `random_cooldown_s` before they may search again. Frames themselves stay in
the SFU; only a reported frame's JPEG reaches this process, and only the report keeps it (TEL-3).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterable
from datetime import datetime
from typing import Protocol

import trio

from vvtv.actors import Registry
from vvtv.clock import WallClock
from vvtv.config import ConfigBundle
from vvtv.contracts.events import SessionStateChanged
from vvtv.domain.frames.verdict import Flags
from vvtv.domain.frames.verdict import Thresholds
from vvtv.domain.frames.verdict import Verdict
from vvtv.domain.values import frozen
from vvtv.frames.metrics import CheckOutcome
from vvtv.frames.metrics import FrameCheckMetrics
from vvtv.frames.reports import AutomatedReport
from vvtv.frames.reports import ReportSink
from vvtv.media.port import FrameChecked

log = logging.getLogger(__name__)


class Blurs(Protocol):
    """The tiles service's blur (`Tiles.blur`)."""

    def blur(self, publisher_id: str, blurred: bool) -> None: ...


class RandomCalls(Protocol):
    """The matching service's end of a flagged call (`Matching.flagged`)."""

    async def flagged(self, user_id: str, session_id: str, cooldown_s: float) -> bool: ...


class CheckedMedia(Protocol):
    """The MediaProvider's frame check calls."""

    async def check_frames_now(self, participant_id: str) -> None: ...
    async def last_still(self, session_id: str, participant_id: str) -> bytes | None: ...


@frozen
class FrameCheckStatistics:
    checked: int  # frames judged
    cpu_s: float  # what checking them cost the SFU
    blurred: int  # publishers whose tiles show blurred now


@frozen
class FramePorts:
    media: CheckedMedia
    checked: AsyncIterable[FrameChecked]  # the SFU's results (`LocalSFU.frame_checks`)
    tiles: Blurs
    random: RandomCalls
    reports: ReportSink
    clock: WallClock
    metrics: FrameCheckMetrics


class FrameChecks:
    def __init__(self, registry: Registry, config: ConfigBundle, ports: FramePorts) -> None:
        checks = config.limits.media.frame_checks
        self._registry = registry
        self._ports = ports
        self._rules = Thresholds(
            blur_at=checks.blur_at,
            report_at=checks.report_at,
            end_call_at=checks.end_call_at,
            unblur_after_s=checks.unblur_after_s,
        )
        self._reason = checks.report_reason
        self._cooldown_s = checks.random_cooldown_s
        self._flags = Flags()
        self._checked = 0
        self._cpu_s = 0.0

    async def run(self) -> None:
        """Judge the SFU's results as they come, until cancelled, supervised."""
        await self._registry.supervise("frame checks", self._judge_forever)

    async def _judge_forever(self) -> None:
        async for checked in self._ports.checked:
            await self.judge(checked)

    async def judge(self, checked: FrameChecked) -> Verdict:
        ports = self._ports
        publisher, session = checked.publisher_id, checked.session_id
        verdict = self._flags.judge(
            publisher, session, checked.score, trio.current_time(), self._rules
        )
        self._checked += 1
        self._cpu_s += checked.cpu_s
        ports.metrics.cpu.inc(checked.cpu_s)
        ports.metrics.checks.labels(_outcome(checked.score, self._rules)).inc()
        if verdict.blur or verdict.unblur:
            ports.tiles.blur(publisher, verdict.blur)
            ports.metrics.blurred.set(len(self._flags.blurred))
        if verdict.report and checked.still is not None:
            await ports.reports.raise_report(
                AutomatedReport(
                    still_id=uuid.uuid4().hex,
                    target_user_id=publisher,
                    session_id=session,
                    reason_code=self._reason,
                    score=checked.score,
                    still=checked.still,
                    taken_at=ports.clock(),
                )
            )
        if verdict.end_call and await ports.random.flagged(publisher, session, self._cooldown_s):
            log.warning("frame check ended Random call %s of %s", session, publisher)
        return verdict

    def statistics(self) -> FrameCheckStatistics:
        return FrameCheckStatistics(
            checked=self._checked, cpu_s=self._cpu_s, blurred=len(self._flags.blurred)
        )

    # -- what other contexts tell the frame checks -------------------------------------------------

    def session_changed(self, event: SessionStateChanged) -> None:
        """The orchestrator's `session.state`: an ended stream's next one may be reported again."""
        if event.state in ("ended", "failed"):
            self._flags.session_ended(event.session_id)

    async def still_of(self, session_id: str, target_id: str) -> tuple[str, bytes, datetime] | None:
        """A person reports `target_id` in `session_id` (moderation's still source, MOD-1): the
        last frame checked of their camera there, and their camera is checked densely again."""
        media = self._ports.media
        await media.check_frames_now(target_id)
        still = await media.last_still(session_id, target_id)
        if still is None:
            return None
        return uuid.uuid4().hex, still, self._ports.clock()


def _outcome(score: float, rules: Thresholds) -> CheckOutcome:
    if score >= rules.end_call_at:
        return "end_call"
    if score >= rules.report_at:
        return "report"
    return "blur" if score >= rules.blur_at else "clear"
