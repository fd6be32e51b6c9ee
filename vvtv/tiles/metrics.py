"""The tiles context's Prometheus series, on the registry it is given: tiles by mode, what became
of each report, the steps of THB-4, and THB-6's cost (estimated beside really sent) and alert."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge

from vvtv.domain.tiles.cost import AlertLevel
from vvtv.observability.series import Catalogued


class TileMetrics(Catalogued, section="tiles"):
    viewers: Gauge
    connected: Gauge
    grants: Counter
    refusals: Counter
    releases: Counter
    steps: Counter
    estimated_bytes: Counter
    sent_bytes: Counter
    egress_rate: Gauge
    egress_alert: Gauge

    def __init__(self, registry: CollectorRegistry, modes: list[str]) -> None:
        super().__init__(registry, {"mode": modes})

    def alert(self, level: AlertLevel) -> None:
        self.egress_alert.labels("warn").set(level in ("warn", "trip"))
        self.egress_alert.labels("trip").set(level == "trip")
