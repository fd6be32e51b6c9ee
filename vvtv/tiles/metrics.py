"""The tiles context's Prometheus series, on the registry it is given: tiles by mode, what became
of each report, the steps of THB-4, and THB-6's cost (estimated beside really sent) and alert."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from vvtv.domain.tiles.cost import AlertLevel
from vvtv.observability.series import Series


class TileMetrics:
    def __init__(self, registry: CollectorRegistry, modes: list[str]) -> None:
        series = Series(registry)
        self.viewers = series.gauge(
            "vvtv_tiles_viewers", "Open tile pools, by the mode of their session.", {"mode": modes}
        )
        self.connected = series.gauge(
            "vvtv_tiles_connected",
            "Tiles granted a slot on a connected pool, by mode (THB-5, THB-6).",
            {"mode": modes},
        )
        self.grants = series.counter(
            "vvtv_tiles_grants", "Tiles granted a slot, by mode.", {"mode": modes}
        )
        self.refusals = series.counter(
            "vvtv_tiles_refusals",
            "Tiles refused, by code (tile_budget: THB-5; tile_unavailable).",
            ["code"],
        )
        self.releases = series.counter(
            "vvtv_tiles_releases",
            "Slots released, by reason (out_of_view: THB-2, INV-4; unavailable; closed).",
            ["reason"],
        )
        self.steps = series.counter(
            "vvtv_tiles_quality_steps",
            "Pools stepped down to the degraded rendition or back up (THB-4).",
            ["direction"],
        )
        self.estimated_bytes = series.counter(
            "vvtv_tiles_estimated_egress_bytes",
            "Tiles connected x their rendition's bitrate x time, by mode (THB-6).",
            {"mode": modes},
        )
        self.sent_bytes = series.counter(
            "vvtv_tiles_sent_bytes",
            "What the SFU's tile senders really sent, by mode (THB-6's check on the estimate).",
            {"mode": modes},
        )
        self.egress_rate = series.gauge(
            "vvtv_tiles_estimated_egress_bytes_per_second",
            "Every connected tile's bitrate now, times its ecosystem's direction factor (TEL-4).",
        )
        self.egress_alert = series.gauge(
            "vvtv_tiles_egress_alert",
            "1 while the tiles' estimated egress is past the kill switch (`trip`) or its warning"
            " fraction (`warn`): kill_switches.max_estimated_egress_gb_per_hour_total (THB-6).",
            {"level": ("warn", "trip")},
        )

    def alert(self, level: AlertLevel) -> None:
        self.egress_alert.labels("warn").set(level in ("warn", "trip"))
        self.egress_alert.labels("trip").set(level == "trip")
