"""The cost context's Prometheus series, on the registry it is given (no globals). Rates are in
bytes per second (Prometheus' base unit); `GET /admin/cost` says GB/h, the operator's unit."""

from __future__ import annotations

from prometheus_client import Counter
from prometheus_client import Gauge

from vvtv.contracts.cost import CostReport
from vvtv.domain.cost import SECONDS_PER_HOUR
from vvtv.domain.kill_switch import Changed
from vvtv.domain.kill_switch import Ladder
from vvtv.observability.series import Catalogued


class CostMetrics(Catalogued, section="cost"):
    egress: Gauge
    money: Gauge
    measured: Counter
    total: Gauge
    ceiling: Gauge
    alert_at: Gauge
    price: Gauge
    # Bytes/s in one GB/h: the config's, once `configure` is given it.
    _rate: float = 1.0

    def configure(
        self, bytes_per_gb: float, ceiling_gb_h: float, alert_gb_h: float, price_per_gb: float
    ) -> None:
        """The thresholds, in the unit of the series (config says GB/h and $/GB)."""
        self._rate = bytes_per_gb / SECONDS_PER_HOUR  # bytes/s in one GB/h
        self.ceiling.set(ceiling_gb_h * self._rate)
        self.alert_at.set(alert_gb_h * self._rate)
        self.price.set(price_per_gb / bytes_per_gb)

    def show(self, report: CostReport, measured_bytes: dict[str, int]) -> None:
        rate = self._rate  # bytes/s per GB/h
        for line in report.lines:
            self.egress.labels(line.mode, "estimated").set(line.estimated_gb_per_hour * rate)
            self.egress.labels(line.mode, "measured").set(line.measured_gb_per_hour * rate)
            self.money.labels(line.mode, "estimated").set(line.estimated_usd_per_hour)
            self.money.labels(line.mode, "measured").set(line.measured_usd_per_hour)
        for mode, sent in measured_bytes.items():
            self.measured.labels(mode).inc(sent)
        self.total.labels("estimated").set(report.total_estimated_gb_per_hour * rate)
        self.total.labels("measured").set(report.total_measured_gb_per_hour * rate)


class LadderMetrics(Catalogued, section="kill_switch"):
    level: Gauge
    automatic: Gauge
    overridden: Gauge
    changes: Counter

    def show(self, ladder: Ladder) -> None:
        self.level.set(ladder.level)
        self.automatic.set(ladder.automatic)
        self.overridden.set(0 if ladder.override is None else 1)

    def changed(self, change: Changed) -> None:
        direction = "down" if change.after > change.before else "up"
        self.changes.labels(change.cause, direction).inc()
