"""What the channel shows from a status snapshot: to viewers, what airs now and next with titles
(`GET /channel/now`); to the operator, the queue's health (LAB-4/7) and the health verdict with
its checks and alerts."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from vvtv.contracts.lab import ChannelNow
from vvtv.contracts.lab import LabHealth
from vvtv.contracts.lab import LabStatus
from vvtv.contracts.lab import QueueHealth
from vvtv.contracts.lab import UpNext
from vvtv.contracts.system import ReadinessCheck
from vvtv.domain.lab.prepared import PreparedItem

VIDEO_SUFFIXES = frozenset({".mp4", ".mkv", ".mov", ".ts", ".webm"})

# What `catalog.derive_id` leaves of a source's file name: its extension and a short hash.
_FILE_SUFFIX = re.compile(
    rf"(?:{'|'.join(re.escape(suffix) for suffix in sorted(VIDEO_SUFFIXES))})(?:-[0-9a-f]{{8}})?$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[-_.\s]+")


def item_title(item_id: str) -> str:
    """A title for viewers from an item id: `sunset-beach_01` → `Sunset beach 01`; the file
    extension and hash an id derived from a source's file name ends with are left out."""
    words = _SEPARATORS.split(_FILE_SUFFIX.sub("", item_id))
    text = " ".join(word for word in words if word)
    return text[:1].upper() + text[1:] if text else item_id


def now_and_next(status: LabStatus, queued: Iterable[PreparedItem], count: int) -> ChannelNow:
    """What viewers see: the planned item on air (none while the reserve loop covers or nothing
    airs) and the first `count` planned items of the queue."""
    if status.on_air == "off":
        return ChannelNow(on_air="off", item_id=None, title=None, up_next=[])
    planned = (item for item in queued if not item.reserve)
    up_next = [
        UpNext(item_id=item.item_id, title=item_title(item.item_id))
        for item in itertools.islice(planned, count)
    ]
    airing = status.now_airing if status.on_air == "plan" else None
    return ChannelNow(
        on_air=status.on_air,
        item_id=airing,
        title=item_title(airing) if airing is not None else None,
        up_next=up_next,
    )


def queue_health(slack_s: float, *, alert_below_s: float, target_s: float) -> QueueHealth:
    """`alert` under `alert_below_s` (LAB-7), `low` under the slack target (LAB-4)."""
    if slack_s <= 0:
        return "empty"
    if slack_s < alert_below_s:
        return "alert"
    if slack_s < target_s:
        return "low"
    return "ok"


def channel_health(status: LabStatus, *, alert_below_s: float) -> LabHealth:
    """Healthy while something airs; the alerts name what the operator should look at."""
    on_air = status.on_air != "off"
    checks = [
        ReadinessCheck(name="on_air", ok=on_air, detail=status.on_air),
        ReadinessCheck(name="pipeline", ok=status.pipeline == "running", detail=status.pipeline),
        ReadinessCheck(
            name="queue",
            ok=status.queue_health in ("ok", "low"),
            detail=f"{status.queue_slack_s:.0f} s prepared ({status.queue_health})",
        ),
        ReadinessCheck(name="emergency", ok=status.on_air != "reserve", detail=status.on_air),
    ]
    alerts = []
    if not on_air:
        alerts.append("broadcast down: nothing on air")
    if status.on_air == "reserve":
        alerts.append("emergency mode: the reserve loop is on air")
    if status.queue_health in ("alert", "empty"):
        alerts.append(f"queue under {alert_below_s:.0f} s: {status.queue_slack_s:.0f} s prepared")
    if status.pipeline == "failed":
        alerts.append(f"pipeline failed: {status.last_error}")
    return LabHealth(ok=on_air, checks=checks, alerts=alerts)
