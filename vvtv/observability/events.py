"""The server's own telemetry events (TEL-1): each checked against its declaration in
telemetry-events.yaml, then written as one log line (logger `vvtv.telemetry`) and counted; and
`EventCounts`, every event of either source counted by name, the funnel's steps (TEL-1).

An undeclared event, a client-only one or an undeclared property is a bug of ours, so it raises
instead of being sent: that is how a private field would leak (TEL-3).
"""

from __future__ import annotations

import logging
from collections import Counter as Tally
from collections.abc import Iterable
from collections.abc import Mapping

from prometheus_client import CollectorRegistry
from prometheus_client import Counter

from vvtv.config import EventSpec
from vvtv.observability.series import Catalogued

PropertyValue = str | int | float | bool

log = logging.getLogger("vvtv.telemetry")


class EventCounts:
    """How many of each event this process has seen: the server's own and the clients' kept ones,
    in memory (the funnel read by the console; the Prometheus series keep them for longer)."""

    def __init__(self) -> None:
        self._counts: Tally[str] = Tally()

    def count(self, name: str) -> None:
        self._counts[name] += 1

    def of(self, names: Iterable[str]) -> list[tuple[str, int]]:
        return [(name, self._counts[name]) for name in names]


class ServerEvents(Catalogued, section="server_events"):
    emitted: Counter

    def __init__(
        self,
        declared: Mapping[str, EventSpec],
        registry: CollectorRegistry,
        counts: EventCounts | None = None,
    ) -> None:
        super().__init__(registry)
        self._declared = declared
        self._counts = counts or EventCounts()

    def emit(self, name: str, **properties: PropertyValue) -> None:
        spec = self._declared.get(name)
        if spec is None or spec.source != "server":
            raise ValueError(f"{name!r} is not a server telemetry event")
        for key, value in properties.items():
            if not spec.allows(key, value):
                raise ValueError(f"{name}.{key} = {value!r} is not what its declaration allows")
        self.emitted.labels(name).inc()
        self._counts.count(name)
        if log.isEnabledFor(logging.INFO):
            log.info("%s %s", name, properties, extra={"event": name, "properties": properties})
