"""The server's own telemetry events (TEL-1): each checked against its declaration in
telemetry-events.yaml, then written as one log line (logger `vvtv.telemetry`) and counted.

An undeclared event, a client-only one or an undeclared property is a bug of ours, so it raises
instead of being sent: that is how a private field would leak (TEL-3).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter

from vvtv.config import EventSpec

PropertyValue = str | int | float | bool

log = logging.getLogger("vvtv.telemetry")


class ServerEvents:
    def __init__(self, declared: Mapping[str, EventSpec], registry: CollectorRegistry) -> None:
        self._declared = declared
        self.emitted = Counter(
            "vvtv_server_events",
            "Telemetry events the server emitted, by name (declared in telemetry-events.yaml).",
            ["event"],
            registry=registry,
        )

    def emit(self, name: str, **properties: PropertyValue) -> None:
        spec = self._declared.get(name)
        if spec is None or spec.source != "server":
            raise ValueError(f"{name!r} is not a server telemetry event")
        for key, value in properties.items():
            if not spec.allows(key, value):
                raise ValueError(f"{name}.{key} = {value!r} is not what its declaration allows")
        self.emitted.labels(name).inc()
        if log.isEnabledFor(logging.INFO):
            log.info("%s %s", name, properties, extra={"event": name, "properties": properties})
