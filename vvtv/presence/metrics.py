"""The presence context's Prometheus series, on the registry it is given (no globals): who is in
each room, who watches it, what the rooms send and whom the TTL removes."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge

from vvtv.contracts.events import PresenceSnapshot
from vvtv.contracts.events import PresenceUpdate
from vvtv.domain.presence.messages import RefusalCode
from vvtv.domain.presence.room import RoomStatistics
from vvtv.observability.series import Catalogued


class PresenceMetrics(Catalogued, section="presence"):
    members: Gauge
    devices: Gauge
    watchers: Gauge
    sent: Counter
    expired: Counter
    refusals: Counter

    def __init__(self, registry: CollectorRegistry, ecosystems: Iterable[str] = ()) -> None:
        super().__init__(registry)
        # Each ecosystem's series exists from the start, so a graph or an alert has data at once.
        for ecosystem in ecosystems:
            self.room(ecosystem)

    def room(self, ecosystem: str) -> RoomMeter:
        return RoomMeter(self, ecosystem)


class RoomMeter:
    """One room's series, their label children looked up once."""

    __slots__ = (
        "_devices",
        "_ecosystem",
        "_expired",
        "_last",
        "_members",
        "_metrics",
        "_snapshots",
        "_updates",
        "_watchers",
    )

    def __init__(self, metrics: PresenceMetrics, ecosystem: str) -> None:
        self._metrics = metrics
        self._ecosystem = ecosystem
        self._members = metrics.members.labels(ecosystem)
        self._devices = metrics.devices.labels(ecosystem)
        self._watchers = metrics.watchers.labels(ecosystem)
        self._snapshots = metrics.sent.labels(ecosystem, PresenceSnapshot.__struct_config__.tag)
        self._updates = metrics.sent.labels(ecosystem, PresenceUpdate.__struct_config__.tag)
        self._expired = metrics.expired.labels(ecosystem)
        self._last: RoomStatistics | None = None

    def observe(self, stats: RoomStatistics) -> None:
        if stats != self._last:
            self._last = stats
            self._members.set(stats.members)
            self._devices.set(stats.devices)
            self._watchers.set(stats.watchers)

    def sent(self, event: PresenceSnapshot | PresenceUpdate) -> None:
        (self._snapshots if isinstance(event, PresenceSnapshot) else self._updates).inc()

    def expired(self, count: int) -> None:
        self._expired.inc(count)

    def refused(self, code: RefusalCode, count: int = 1) -> None:
        self._metrics.refusals.labels(self._ecosystem, code).inc(count)
