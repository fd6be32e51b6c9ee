"""The presence context's Prometheus series, on the registry it is given (no globals): who is in
each room, who watches it, what the rooms send and whom the TTL removes."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry

from vvtv.contracts.events import PresenceSnapshot, PresenceUpdate
from vvtv.domain.presence.messages import RefusalCode
from vvtv.domain.presence.room import RoomStatistics
from vvtv.observability.series import Series


class PresenceMetrics:
    def __init__(self, registry: CollectorRegistry, ecosystems: Iterable[str] = ()) -> None:
        series = Series(registry)
        self.members = series.gauge(
            "vvtv_presence_members",
            "Users present in each ecosystem's room, however many devices each (OPS-5).",
            ["ecosystem"],
        )
        self.devices = series.gauge(
            "vvtv_presence_devices",
            "Connections (tabs, devices) holding a presence in each ecosystem's room.",
            ["ecosystem"],
        )
        self.watchers = series.gauge(
            "vvtv_presence_watchers",
            "Connections subscribed to each ecosystem's room (they are sent its updates).",
            ["ecosystem"],
        )
        self.sent = series.counter(
            "vvtv_presence_events_sent",
            "presence.snapshot and presence.update events pushed to watchers, by ecosystem and"
            " type (updates are batched per fan-out tick, PRS-4).",
            ["ecosystem", "type"],
        )
        self.expired = series.counter(
            "vvtv_presence_expired",
            "Presences removed for a silence past ghost_ttl_s, by ecosystem (PRS-5).",
            ["ecosystem"],
        )
        self.refusals = series.counter(
            "vvtv_presence_refusals",
            "Presence requests refused, by ecosystem and code (a burst of not_present follows a"
            " room's restart: clients set their fields again).",
            ["ecosystem", "code"],
        )
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
