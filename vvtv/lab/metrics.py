"""The agent's Prometheus metrics, on the registry it is given (the app's, or its own standalone).

Names: `vvtv_lab_*`, units in the name, counters exported with `_total` (checked by promtool).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from vvtv.contracts.lab import TelemetrySummary


def _total(counter: Counter) -> int:
    """A counter's value summed over its labels (what the agent reports to the server)."""
    return int(
        sum(
            sample.value
            for family in counter.collect()
            for sample in family.samples
            if sample.name.endswith("_total")
        )
    )


class LabMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.queue_slack = Gauge(
            "vvtv_lab_queue_slack_seconds",
            "Prepared airtime waiting in the broadcast queue (LAB-4).",
            registry=registry,
        )
        self.queue_items = Gauge(
            "vvtv_lab_queue_items",
            "Prepared items waiting in the broadcast queue.",
            registry=registry,
        )
        self.queue_alert = Gauge(
            "vvtv_lab_queue_alert",
            "1 while the queue's slack is under queue_alert_below_s (LAB-7).",
            registry=registry,
        )
        self.pipeline_up = Gauge(
            "vvtv_lab_pipeline_up",
            "1 while the planner/fetcher/prepare pipeline runs.",
            registry=registry,
        )
        self.pipeline_restarts = Counter(
            "vvtv_lab_pipeline_restarts", "Pipeline restarts after a crash.", registry=registry
        )
        self.viewers = Gauge(
            "vvtv_channel_viewers",
            "Devices whose player asked what airs within lab.viewer_window_s (as of the last ask"
            " or count).",
            registry=registry,
        )
        self.emergency = Gauge(
            "vvtv_lab_emergency_active",
            "1 while the reserve loop is on air (LAB-6).",
            registry=registry,
        )
        self.emergency_switches = Counter(
            "vvtv_lab_emergency_switches",
            "Switches between the plan and the reserve loop, by direction.",
            ["to"],
            registry=registry,
        )
        self.fetch_attempts = Counter(
            "vvtv_lab_fetch_attempts", "Fetch attempts by outcome.", ["outcome"], registry=registry
        )
        self.fetched_bytes = Counter(
            "vvtv_lab_fetched_bytes", "Bytes downloaded by the fetcher.", registry=registry
        )
        self.substitutions = Counter(
            "vvtv_lab_substitutions",
            "Intentions whose item was swapped for an alternate, by stage.",
            ["stage"],
            registry=registry,
        )
        self.prepared = Counter(
            "vvtv_lab_prepared_items", "Items prepared for air.", registry=registry
        )
        self.rejected = Counter(
            "vvtv_lab_rejected_items",
            "Items rejected by QA, by reason.",
            ["reason"],
            registry=registry,
        )
        self.prepare_duration = Histogram(
            "vvtv_lab_prepare_duration_seconds",
            "Wall time to prepare one item (probe, loudness, ladder, segments).",
            buckets=(1, 2, 5, 10, 30, 60, 120, 300, 600, 1800),
            registry=registry,
        )
        self.prepare_speed = Gauge(
            "vvtv_lab_prepare_speed_ratio",
            "Media seconds prepared per wall second, for the last item (× real time).",
            registry=registry,
        )
        self.prepare_progress = Gauge(
            "vvtv_lab_prepare_progress_ratio",
            "Progress of the item being prepared, 0 to 1.",
            registry=registry,
        )
        self.loudness_offset = Gauge(
            "vvtv_lab_last_loudness_correction_lu",
            "Gain applied by loudness normalisation to the last prepared item.",
            registry=registry,
        )
        self.segments_aired = Counter(
            "vvtv_lab_segments_aired",
            "Segments published to the live playlists.",
            registry=registry,
        )
        self.media_sequence = Gauge(
            "vvtv_lab_media_sequence",
            "EXT-X-MEDIA-SEQUENCE of the live playlists.",
            registry=registry,
        )
        self.transmitter_restarts = Counter(
            "vvtv_lab_transmitter_restarts",
            "Transmitter restarts after a crash (LAB-7).",
            registry=registry,
        )
        self.transmitter_lag = Gauge(
            "vvtv_lab_transmitter_lag_seconds",
            "How late the last segment was published against its wall-clock slot.",
            registry=registry,
        )

    def summary(self) -> TelemetrySummary:
        return TelemetrySummary(
            fetched_bytes=_total(self.fetched_bytes),
            prepared_items=_total(self.prepared),
            rejected_items=_total(self.rejected),
            aired_segments=_total(self.segments_aired),
            emergency_switches=_total(self.emergency_switches),
        )
