"""The cost context's Prometheus series, on the registry it is given (no globals). Rates are in
bytes per second (Prometheus' base unit); `GET /admin/cost` says GB/h, the operator's unit."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from vvtv.contracts.cost import CostReport
from vvtv.domain.cost import SECONDS_PER_HOUR
from vvtv.domain.kill_switch import Changed, Ladder
from vvtv.observability.series import Series


class CostMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        series = Series(registry)
        self.egress = series.gauge(
            "vvtv_cost_egress_bytes_per_second",
            "Egress per mode: source=estimated (0.439 GB/h per Mbps x viewers x direction,"
            " TEL-4) or measured (bytes the SFU sent, HLS bytes served).",
            ["mode", "source"],
        )
        self.money = series.gauge(
            "vvtv_cost_usd_per_hour",
            "Egress per mode in US dollars per hour at cost.price_per_gb_usd, by source.",
            ["mode", "source"],
        )
        self.measured = series.counter(
            "vvtv_cost_measured_egress_bytes",
            "Bytes really sent, attributed to modes (SFU senders by rendition profile, HLS).",
            ["mode"],
        )
        self.total = series.gauge(
            "vvtv_cost_egress_total_bytes_per_second",
            "Egress of every mode together, by source.",
            {"source": ("estimated", "measured")},
        )
        self.ceiling = series.gauge(
            "vvtv_cost_egress_ceiling_bytes_per_second",
            "kill_switches.max_estimated_egress_gb_per_hour_total: above it the ladder steps down.",
        )
        self.alert_at = series.gauge(
            "vvtv_cost_egress_alert_bytes_per_second",
            "The ceiling x cost.egress_alert_fraction: above it the egress-spike alert fires.",
        )
        self.price = series.gauge(
            "vvtv_cost_price_usd_per_byte", "cost.price_per_gb_usd, per byte of egress."
        )
        self._rate = 1.0

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


class LadderMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        series = Series(registry)
        self.level = series.gauge(
            "vvtv_kill_switch_level", "Steps of the kill-switch ladder taken now (0: none; INV-7)."
        )
        self.automatic = series.gauge(
            "vvtv_kill_switch_automatic_level",
            "The level the egress alone has reached (an admin's pin may differ).",
        )
        self.overridden = series.gauge(
            "vvtv_kill_switch_overridden", "1 while an admin pins the ladder's level."
        )
        self.changes = series.counter(
            "vvtv_kill_switch_changes",
            "Changes of the ladder's level, by cause (load, override) and direction (down, up).",
            {"cause": ("load", "override"), "direction": ("down", "up")},
        )

    def show(self, ladder: Ladder) -> None:
        self.level.set(ladder.level)
        self.automatic.set(ladder.automatic)
        self.overridden.set(0 if ladder.override is None else 1)

    def changed(self, change: Changed) -> None:
        direction = "down" if change.after > change.before else "up"
        self.changes.labels(change.cause, direction).inc()
