"""The report actor (kind `report`, key = the report's id): a report's claim and decision, one
message at a time, as a thin loop over `vvtv.domain.moderation.reports.decide`: two moderators
claiming at once are two messages in one mailbox, and the first wins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from vvtv.actors import BaseActor
from vvtv.clock import WallClock
from vvtv.domain.moderation.reports import Keep
from vvtv.domain.moderation.reports import Message
from vvtv.domain.moderation.reports import Refuse
from vvtv.domain.moderation.reports import Report
from vvtv.domain.moderation.reports import Save
from vvtv.domain.moderation.reports import decide
from vvtv.domain.values import frozen
from vvtv.errors import VvtvError
from vvtv.errors import by_code
from vvtv.moderation.errors import AlreadyDecided
from vvtv.moderation.errors import ClaimedByOther
from vvtv.moderation.errors import ReportNotFound
from vvtv.moderation.metrics import ModerationMetrics
from vvtv.moderation.store import ReportStore

KIND = "report"

_REFUSALS: Mapping[str, type[VvtvError]] = by_code(ReportNotFound, ClaimedByOther, AlreadyDecided)


@frozen
class ModerationPorts:
    """What the moderation context reaches outside itself, handed to every report actor."""

    store: ReportStore
    clock: WallClock
    metrics: ModerationMetrics


class ReportActor(BaseActor):
    """Replies with the report after the message; refusals raise."""

    kind: ClassVar[str] = KIND

    def __init__(self, report_id: str, ports: ModerationPorts) -> None:
        self._id = int(report_id)
        self._ports = ports
        self._report: Report | None = None

    async def on_start(self) -> None:
        # Spawned again after passivation or a crash: the store holds the truth.
        self._report = await self._ports.store.get(self._id)

    async def handle(self, message: Message) -> Report:
        report, effects = decide(self._report, message)
        for effect in effects:
            match effect:
                case Refuse(code, text):
                    raise _REFUSALS[code](text)
                case Save(saved):
                    await self._ports.store.save(saved)
                    self._report = saved
                case Keep():
                    pass
        assert report is not None  # decide refuses a missing report
        return report
