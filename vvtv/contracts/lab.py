"""Wire bodies of the Lab Agent's API (and the values they carry: catalog items, the OwnerCard).

One definition each (ARC-2): the planner, the stores and the API all use these Structs. OpenAPI
names a schema after its class and `vvtv serve` publishes these next to the server's own
contracts, so a name the server already uses (PolicySnapshot) takes a `Lab` prefix.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from typing import Any
from typing import Literal

import msgspec
from msgspec import Meta

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.base import Serial
from vvtv.contracts.system import ReadinessCheck

ItemId = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Tag = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
Seconds = Annotated[float, Meta(gt=0)]


class MediaItem(Contract):
    """A catalog item. `source` is an http(s) URL or a local path; rights bound when it may air."""

    id: ItemId
    source: Annotated[str, Meta(min_length=1, max_length=2048)]
    duration_s: Seconds
    tags: tuple[Tag, ...] = ()
    rights_from: datetime | None = None
    rights_until: datetime | None = None


class NewMediaItem(Contract):
    """A catalog item to add; without an `id`, one is derived from the source."""

    source: Annotated[str, Meta(min_length=1, max_length=2048)]
    duration_s: Seconds
    tags: tuple[Tag, ...] = ()
    rights_from: datetime | None = None
    rights_until: datetime | None = None
    id: ItemId | None = None


class MediaItemList(Contract):
    items: list[MediaItem]


class Daypart(Contract):
    """UTC hours [start_hour, end_hour); its items must carry one of `tags` (any if none)."""

    name: Annotated[str, Meta(min_length=1, max_length=64)]
    start_hour: Annotated[int, Meta(ge=0, le=23)]
    end_hour: Annotated[int, Meta(ge=1, le=24)]
    tags: tuple[Tag, ...] = ()


class TagQuota(Contract):
    """Items carrying `tag` may fill at most `max_share` of the planned airtime."""

    tag: Tag
    max_share: Annotated[float, Meta(ge=0, le=1)]


class OwnerCard(Contract):
    """The editorial and operational policy of the channel (POL-1)."""

    dayparts: tuple[Daypart, ...] = ()
    tag_quotas: tuple[TagQuota, ...] = ()
    no_repeat_window_s: Annotated[float, Meta(ge=0)] = 3600.0
    max_item_duration_s: Seconds = 3600.0
    target_lufs: Annotated[float, Meta(ge=-40, le=-5)] = -23.0  # EBU R128
    true_peak_dbtp: Annotated[float, Meta(ge=-9, le=0)] = -1.0
    loudness_range_lu: Annotated[float, Meta(ge=1, le=50)] = 11.0
    ladder: Annotated[tuple[str, ...], Meta(min_length=1)] = ("broadcast_720p", "broadcast_360p")


class LabPolicySnapshot(Contract):
    """One immutable version of the OwnerCard (POL-2: what the Planner and Orchestrator read)."""

    version: Serial
    card: OwnerCard
    author: str
    created_at: datetime


class FieldChange(Contract):
    path: str
    before: Any = None
    after: Any = None


class PolicyChange(Contract):
    version: Serial
    author: str
    created_at: datetime
    diff: list[FieldChange]


class PolicyHistory(Contract):
    changes: list[PolicyChange]


class Command(Contract):
    """A control command's body; `reason` goes to the audit log (required: the log says why)."""

    reason: Annotated[str, Meta(min_length=1, max_length=500)]


CommandName = Literal["start", "stop", "reload_policies", "rotate_playlist"]
QueueHealth = Literal["ok", "low", "alert", "empty"]
OnAir = Literal["plan", "reserve", "off"]


class LabStatus(Contract):
    pipeline: Literal["running", "stopped", "failed"]
    on_air: OnAir
    now_airing: str | None
    queue_items: Count
    queue_slack_s: float
    queue_health: QueueHealth
    policy_version: Serial
    media_sequence: Count
    discontinuity_sequence: Count
    transmitter_restarts: Count
    pipeline_restarts: Count
    last_error: str | None = None


class UpNext(Contract):
    item_id: str
    title: str


class ChannelNow(Contract):
    """What the channel airs now and next, for viewers (public). `item_id` and `title` are null
    while the reserve loop covers (`reserve`) or nothing airs (`off`)."""

    on_air: OnAir
    item_id: str | None
    title: str | None
    up_next: list[UpNext]


class CommandResult(Contract):
    command: CommandName
    ok: bool
    detail: str
    status: LabStatus


class LabHealth(Contract):
    """Healthy while something airs; `alerts` lists what an operator should look at (LAB-7)."""

    ok: bool
    checks: list[ReadinessCheck]  # the shape of /readyz's checks
    alerts: list[str]


class TelemetrySummary(Contract):
    fetched_bytes: Count
    prepared_items: Count
    rejected_items: Count
    aired_segments: Count
    emergency_switches: Count


class LabReport(Contract):
    """What the agent pushes to the server every health-check interval (LAB-8)."""

    agent: str
    at: datetime
    status: LabStatus
    health: LabHealth
    telemetry: TelemetrySummary


class LabAgents(Contract):
    """The latest report of each agent the server has heard from, by agent name (LAB-8)."""

    agents: list[LabReport]


def to_json(value: msgspec.Struct) -> str:
    return msgspec.json.encode(value).decode()
