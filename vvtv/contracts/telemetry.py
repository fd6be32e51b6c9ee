"""Client telemetry bodies: a batch of declared events with typed, privacy-safe properties."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from vvtv.contracts.base import Contract, Count, Int64

EventName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
PropertyName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
PropertyValue = Annotated[str, msgspec.Meta(max_length=256)] | Int64 | float | bool


class TelemetryEvent(Contract, frozen=True, kw_only=True):
    name: EventName
    properties: dict[PropertyName, PropertyValue] = {}
    at: datetime | None = None


class TelemetryBatch(Contract, frozen=True, kw_only=True):
    """Events a client reports; the server caps the batch size from config."""

    events: list[TelemetryEvent]


class TelemetryAccepted(Contract, frozen=True, kw_only=True):
    accepted: Count
    sampled_out: Count
