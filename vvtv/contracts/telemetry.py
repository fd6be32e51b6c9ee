"""Client telemetry bodies: a batch of declared events with typed, privacy-safe properties."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.base import Int64

EventName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
PropertyName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
PropertyValue = Annotated[str, msgspec.Meta(max_length=256)] | Int64 | float | bool


class TelemetryEvent(Contract):
    name: EventName
    properties: dict[PropertyName, PropertyValue] = {}
    at: datetime | None = None


class TelemetryBatch(Contract):
    """Events a client reports; the server caps the batch size from config."""

    events: list[TelemetryEvent]


class TelemetryAccepted(Contract):
    accepted: Count
    sampled_out: Count


class FunnelStep(Contract):
    event: EventName
    count: Count  # events seen since the process started (the clients' kept ones and the server's)


class FunnelChain(Contract):
    """One chain of telemetry-events.yaml (`funnel`, `match`), its events in order (TEL-1)."""

    name: str
    steps: list[FunnelStep]


class FunnelReport(Contract):
    chains: list[FunnelChain]


class QosSampling(Contract):
    """TEL-2: the share of calls that send `qos_sample` (each call draws once when it starts),
    every `interval_s`; all of them while the incident flag is on."""

    rate: Annotated[float, msgspec.Meta(ge=0, le=1)]
    incident: bool
    interval_s: float


class IncidentSwitch(Contract):
    """Switch the incident flag on (every call samples its QoS) or off, saying why (audited)."""

    active: bool
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class IncidentStatus(Contract):
    """`active`: the admin's switch or the tier's `feature_flags.incident_mode` (a protection a
    tier may only switch on: then `forced_by_tier` and the switch cannot turn it off)."""

    active: bool
    switched_on: bool
    forced_by_tier: bool
    qos_rate: Annotated[float, msgspec.Meta(ge=0, le=1)]
    changed_at: datetime | None = None
