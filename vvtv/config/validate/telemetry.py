"""The rules of telemetry-events.yaml (CFG-4): names, chains and privacy (TEL-1, TEL-3)."""

from __future__ import annotations

import re

from vvtv.config.problems import KeyPath
from vvtv.config.problems import Problem
from vvtv.config.schema.telemetry import TelemetryEvents
from vvtv.config.validate.locator import Locator

# TEL-3: name parts that would mean logging a message body, a video frame or a precise location.
FORBIDDEN_PROPERTY_PARTS = frozenset(
    {
        "body",
        "text",
        "content",
        "transcript",
        "message",
        "frame",
        "frames",
        "image",
        "snapshot",
        "screenshot",
        "pixels",
        "lat",
        "lon",
        "lng",
        "latitude",
        "longitude",
        "geo",
        "geolocation",
        "gps",
        "coords",
        "location",
        "ip",
        "address",
    }
)
# `message` alone is a body, but a count or length of messages is not.
_HARMLESS_SUFFIXES = frozenset({"count", "length", "chars", "id", "kind", "type"})
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def check_telemetry(telemetry: TelemetryEvents, at: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for chain, steps in telemetry.chains.items():
        for index, event in enumerate(steps):
            if event not in telemetry.events:
                problems.append(
                    at.problem(("chains", chain, index), f"names unknown event `{event}` (TEL-1)")
                )
    for name, spec in telemetry.events.items():
        if not _SNAKE.match(name):
            problems.append(at.problem(("events", name), "event names are snake_case (TEL-1)"))
        if not spec.privacy.strip():
            problems.append(
                at.problem(
                    ("events", name, "privacy"), "must say what the event does not carry (TEL-3)"
                )
            )
        for prop, declared in spec.properties.items():
            where: KeyPath = ("events", name, "properties", prop)
            reason = privacy_violation(prop)
            if reason is not None:
                problems.append(at.problem(where, f"{reason} must never be logged (TEL-3)"))
            elif not _SNAKE.match(prop):
                problems.append(at.problem(where, "property names are snake_case (TEL-1)"))
            if isinstance(declared, str):
                continue
            if declared.type == "enum" and not declared.values:
                problems.append(at.problem((*where, "type"), "an enum needs `values` (TEL-1)"))
            if declared.type != "enum" and declared.values:
                problems.append(
                    at.problem((*where, "values"), "only an enum takes `values` (TEL-1)")
                )
    return problems


def privacy_violation(property_name: str) -> str | None:
    """Why `property_name` looks like private data (TEL-3), or None when it is harmless."""
    parts = property_name.lower().split("_")
    if parts[-1] in _HARMLESS_SUFFIXES:
        return None
    hits = FORBIDDEN_PROPERTY_PARTS.intersection(parts)
    if not hits:
        return None
    return f"`{property_name}` looks like {'/'.join(sorted(hits))} data, which"
