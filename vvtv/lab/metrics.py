"""The agent's Prometheus metrics, on the registry it is given (the app's, or its own standalone).

Names: `vvtv_lab_*`, units in the name, counters exported with `_total` (checked by promtool).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from vvtv.contracts.lab import TelemetrySummary
from vvtv.observability.series import Series


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
        series = Series(registry)
        self.registry = registry
        self.queue_slack = series.gauge(
            "vvtv_lab_queue_slack_seconds",
            "Prepared airtime waiting in the broadcast queue (LAB-4).",
        )
        self.queue_items = series.gauge(
            "vvtv_lab_queue_items", "Prepared items waiting in the broadcast queue."
        )
        self.queue_alert = series.gauge(
            "vvtv_lab_queue_alert",
            "1 while the queue's slack is under queue_alert_below_s (LAB-7).",
        )
        self.pipeline_up = series.gauge(
            "vvtv_lab_pipeline_up", "1 while the planner/fetcher/prepare pipeline runs."
        )
        self.pipeline_restarts = series.counter(
            "vvtv_lab_pipeline_restarts", "Pipeline restarts after a crash."
        )
        self.viewers = series.gauge(
            "vvtv_channel_viewers",
            "Devices whose player asked what airs within lab.viewer_window_s (as of the last ask"
            " or count).",
        )
        self.emergency = series.gauge(
            "vvtv_lab_emergency_active", "1 while the reserve loop is on air (LAB-6)."
        )
        self.emergency_switches = series.counter(
            "vvtv_lab_emergency_switches",
            "Switches between the plan and the reserve loop, by direction.",
            ["to"],
        )
        self.fetch_attempts = series.counter(
            "vvtv_lab_fetch_attempts", "Fetch attempts by outcome.", ["outcome"]
        )
        self.fetched_bytes = series.counter(
            "vvtv_lab_fetched_bytes", "Bytes downloaded by the fetcher."
        )
        self.substitutions = series.counter(
            "vvtv_lab_substitutions",
            "Intentions whose item was swapped for an alternate, by stage.",
            ["stage"],
        )
        self.prepared = series.counter("vvtv_lab_prepared_items", "Items prepared for air.")
        self.rejected = series.counter(
            "vvtv_lab_rejected_items", "Items rejected by QA, by reason.", ["reason"]
        )
        self.prepare_duration = series.histogram(
            "vvtv_lab_prepare_duration_seconds",
            "Wall time to prepare one item (probe, loudness, ladder, segments).",
            buckets=(1, 2, 5, 10, 30, 60, 120, 300, 600, 1800),
        )
        self.prepare_speed = series.gauge(
            "vvtv_lab_prepare_speed_ratio",
            "Media seconds prepared per wall second, for the last item (× real time).",
        )
        self.prepare_progress = series.gauge(
            "vvtv_lab_prepare_progress_ratio", "Progress of the item being prepared, 0 to 1."
        )
        self.loudness_offset = series.gauge(
            "vvtv_lab_last_loudness_correction_lu",
            "Gain applied by loudness normalisation to the last prepared item.",
        )
        self.segments_aired = series.counter(
            "vvtv_lab_segments_aired", "Segments published to the live playlists."
        )
        self.media_sequence = series.gauge(
            "vvtv_lab_media_sequence", "EXT-X-MEDIA-SEQUENCE of the live playlists."
        )
        self.transmitter_restarts = series.counter(
            "vvtv_lab_transmitter_restarts", "Transmitter restarts after a crash (LAB-7)."
        )
        self.transmitter_lag = series.gauge(
            "vvtv_lab_transmitter_lag_seconds",
            "How late the last segment was published against its wall-clock slot.",
        )

    def summary(self) -> TelemetrySummary:
        return TelemetrySummary(
            fetched_bytes=_total(self.fetched_bytes),
            prepared_items=_total(self.prepared),
            rejected_items=_total(self.rejected),
            aired_segments=_total(self.segments_aired),
            emergency_switches=_total(self.emergency_switches),
        )
