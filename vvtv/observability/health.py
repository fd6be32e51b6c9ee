"""Per-service health (TEL-5): each service's state, judged every `health_sample_interval_s` from
the actor kernel's counters (or a probe of its own), for /readyz and `vvtv_service_*` gauges."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping

import msgspec
import trio
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from vvtv.actors import KindStatistics
from vvtv.config.schema.limits import ObservabilityLimits
from vvtv.contracts.system import ServiceHealth
from vvtv.domain.health import STATES
from vvtv.domain.health import KindSample
from vvtv.domain.health import ServiceShape
from vvtv.domain.health import Verdict
from vvtv.domain.health import judge
from vvtv.domain.values import frozen

# A probe for a service that is not made of actors (the channel, the SFU): its state now.
Probe = Callable[[], Verdict]


@frozen
class _Watched:
    shape: ServiceShape | None
    probe: Probe | None


class HealthBoard:
    def __init__(
        self,
        limits: ObservabilityLimits,
        statistics: Callable[[], Mapping[str, KindStatistics]],
        registry: CollectorRegistry,
    ) -> None:
        self._limits = limits
        self._statistics = statistics
        self._watched: dict[str, _Watched] = {}
        self._verdicts: dict[str, Verdict] = {}
        self._before: dict[str, KindSample] = {}
        registry.register(_HealthCollector(self))

    def watch_actors(self, service: str, shape: ServiceShape) -> None:
        """Judge `service` by its actor kinds and supervised loops."""
        self._watched[service] = _Watched(shape, None)

    def watch(self, service: str, probe: Probe) -> None:
        """Judge `service` by asking `probe`."""
        self._watched[service] = _Watched(None, probe)

    def sample(self, at: float) -> None:
        """Judge every watched service now (`at` on trio's clock)."""
        now = {
            name: msgspec.convert(stats, KindSample, from_attributes=True)
            for name, stats in self._statistics().items()
        }
        for service, watched in self._watched.items():
            if watched.probe is not None:
                verdict = watched.probe()
            else:
                assert watched.shape is not None
                verdict = judge(
                    watched.shape, now, self._before, self._verdicts.get(service), at,
                    self._limits.stuck_after_s,
                )  # fmt: skip
            self._verdicts[service] = verdict
        self._before = now

    def services(self) -> list[ServiceHealth]:
        """The last verdict of each watched service, sampled now if it has none yet."""
        if any(service not in self._verdicts for service in self._watched):
            self.sample(trio.current_time())
        return [
            ServiceHealth(service=name, state=verdict.state, detail=verdict.detail)
            for name, verdict in sorted(self._verdicts.items())
        ]

    async def run(self) -> None:
        while True:
            self.sample(trio.current_time())
            await trio.sleep(self._limits.health_sample_interval_s)


class _HealthCollector(Collector):
    def __init__(self, board: HealthBoard) -> None:
        self._board = board

    def collect(self) -> Iterable[Metric]:
        services = self._board.services()
        healthy = GaugeMetricFamily(
            "vvtv_service_healthy",
            "1 while a service's last health sample was ok (TEL-5).",
            labels=["service"],
        )
        state = GaugeMetricFamily(
            "vvtv_service_state",
            "A service's last judged state, one-hot: ok, degraded, stuck or down (TEL-5).",
            labels=["service", "state"],
        )
        for health in services:
            healthy.add_metric([health.service], float(health.state == "ok"))
            for name in STATES:
                state.add_metric([health.service, name], float(health.state == name))
        yield healthy
        yield state
