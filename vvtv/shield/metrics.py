"""Shield Mode's Prometheus series, on the registry it is given."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class ShieldMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.active = Gauge(
            "vvtv_shield_active", "1 while Shield Mode is on, else 0.", registry=registry
        )
        self.switches = Counter(
            "vvtv_shield_switches",
            "Shield Mode switched, by the state it was switched to (on, off).",
            ["to"],
            registry=registry,
        )
        self.swept = Counter(
            "vvtv_shield_swept_users",
            "Users Shield Mode's sweep timed out for posting a listed term.",
            registry=registry,
        )
        for to in ("on", "off"):
            self.switches.labels(to)
