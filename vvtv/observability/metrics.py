"""Prometheus metrics of one process, on a registry of its own (no module-level globals)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping

import msgspec
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import GCCollector
from prometheus_client import Histogram
from prometheus_client import Info
from prometheus_client import PlatformCollector
from prometheus_client import ProcessCollector
from prometheus_client import generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from vvtv.observability.series import Catalogued

CONTENT_TYPE = CONTENT_TYPE_LATEST

StatisticsSource = Callable[[], Mapping[str, msgspec.Struct]]


class ActorStatisticsCollector(Collector):
    """Exports each actor kind's `statistics()` snapshot: `*_total` fields as counters, the rest
    as gauges, labelled by kind."""

    def __init__(self, source: StatisticsSource) -> None:
        self._source = source

    def collect(self) -> Iterable[Metric]:
        snapshot = {kind: msgspec.structs.asdict(stats) for kind, stats in self._source().items()}
        fields = sorted({name for stats in snapshot.values() for name in stats})
        for name in fields:
            family: CounterMetricFamily | GaugeMetricFamily
            if name.endswith("_total"):
                family = CounterMetricFamily(
                    f"vvtv_actor_{name.removesuffix('_total')}",
                    f"Actor kernel: {name.replace('_', ' ')} per actor kind.",
                    labels=["kind"],
                )
            else:
                family = GaugeMetricFamily(
                    f"vvtv_actor_{name}",
                    f"Actor kernel: {name.replace('_', ' ')} per actor kind.",
                    labels=["kind"],
                )
            for kind, stats in sorted(snapshot.items()):
                value = stats.get(name)
                if isinstance(value, (int, float)):
                    family.add_metric([kind], float(value))
            yield family


class Metrics(Catalogued, section="process"):
    http_requests: Counter
    http_duration: Histogram
    http_response_bytes: Counter
    telemetry_events: Counter
    config: Info

    def __init__(self) -> None:
        registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        super().__init__(registry)
        self._response_bytes: dict[str, int] = {}

    def describe_config(self, tier: str, skin: str, version: str) -> None:
        self.config.info({"tier": tier, "skin": skin, "version": version})

    def count_response(self, route: str, size: int) -> None:
        self.http_response_bytes.labels(route).inc(size)
        self._response_bytes[route] = self._response_bytes.get(route, 0) + size

    def response_bytes(self, route: str) -> int:
        """Body bytes sent by `route` so far (the cost meter reads the channel's)."""
        return self._response_bytes.get(route, 0)

    def watch_actors(self, source: StatisticsSource) -> None:
        self.registry.register(ActorStatisticsCollector(source))

    def render(self) -> bytes:
        return generate_latest(self.registry)
