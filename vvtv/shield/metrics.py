"""Shield Mode's Prometheus series, on the registry it is given."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from vvtv.observability.series import Series


class ShieldMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        series = Series(registry)
        self.active = series.gauge("vvtv_shield_active", "1 while Shield Mode is on, else 0.")
        self.switches = series.counter(
            "vvtv_shield_switches",
            "Shield Mode switched, by the state it was switched to (on, off).",
            {"to": ("on", "off")},
        )
        self.swept = series.counter(
            "vvtv_shield_swept_users",
            "Users Shield Mode's sweep timed out for posting a listed term.",
        )
