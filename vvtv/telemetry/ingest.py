"""Checking a reported event against its declaration, and deciding whether the sample is kept."""

from __future__ import annotations

from collections.abc import Callable

from vvtv.config import ConfigBundle
from vvtv.contracts.telemetry import TelemetryBatch
from vvtv.contracts.telemetry import TelemetryEvent
from vvtv.errors import BadRequest


def check_event(config: ConfigBundle, event: TelemetryEvent, index: int) -> None:
    """Refuse what is undeclared: an unknown or server-only event, an unknown property or a value
    of the wrong type. Undeclared properties are how private data leaks in (TEL-3)."""
    spec = config.telemetry.events.get(event.name)
    where = f"$.events[{index}]"
    if spec is None or spec.source != "client":
        raise BadRequest(
            f"{event.name!r} is not an event clients may report.",
            code="unknown_event",
            path=f"{where}.name",
        )
    for name, value in event.properties.items():
        declared = spec.properties.get(name)
        if declared is None:
            raise BadRequest(
                f"{event.name!r} declares no property {name!r}.",
                code="unknown_property",
                path=f"{where}.properties.{name}",
            )
        if not spec.allows(name, value):
            kind = spec.property_type(name)
            allowed = () if isinstance(declared, str) else declared.values
            expected = f"one of {list(allowed)}" if kind == "enum" else kind
            raise BadRequest(
                f"{event.name}.{name} must be {expected}.",
                code="invalid_property",
                path=f"{where}.properties.{name}",
            )
        if isinstance(value, float) and spec.property_type(name) == "int":
            event.properties[name] = int(value)  # kept as the integer it is


def sampling_rate(config: ConfigBundle, name: str) -> float:
    """The share of reports of `name` the server keeps. A `qos` event comes only from the calls
    that drew under the incident flag's rate (each call draws once, TEL-2): all of them are kept,
    or a sampled call would lose samples at random."""
    sampling = config.telemetry.events[name].sampling
    return 1.0 if sampling == "qos" else float(sampling)


def accept_batch(
    config: ConfigBundle, batch: TelemetryBatch, draw: Callable[[], float]
) -> tuple[list[TelemetryEvent], list[TelemetryEvent]]:
    """Check every event first (a batch is taken whole or not at all), then sample:
    returns (kept, sampled_out). `draw` returns a uniform number in [0, 1)."""
    cap = config.limits.telemetry.max_batch_events
    if len(batch.events) > cap:
        raise BadRequest(
            f"Send at most {cap} events per batch.", code="batch_too_large", path="$.events"
        )
    for index, event in enumerate(batch.events):
        check_event(config, event, index)
    kept: list[TelemetryEvent] = []
    dropped: list[TelemetryEvent] = []
    for event in batch.events:
        (kept if draw() < sampling_rate(config, event.name) else dropped).append(event)
    return kept, dropped
