"""The agent's Prometheus metrics, on the registry it is given (the app's, or its own standalone).

Names: `vvtv_lab_*`, units in the name, counters exported with `_total` (checked by promtool).
"""

from __future__ import annotations

from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram

from vvtv.contracts.lab import TelemetrySummary
from vvtv.observability.series import Catalogued


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


class LabMetrics(Catalogued, section="lab"):
    queue_slack: Gauge
    queue_items: Gauge
    queue_alert: Gauge
    pipeline_up: Gauge
    pipeline_restarts: Counter
    viewers: Gauge
    emergency: Gauge
    emergency_switches: Counter
    fetch_attempts: Counter
    fetched_bytes: Counter
    substitutions: Counter
    prepared: Counter
    rejected: Counter
    prepare_duration: Histogram
    prepare_speed: Gauge
    prepare_progress: Gauge
    loudness_offset: Gauge
    segments_aired: Counter
    media_sequence: Gauge
    transmitter_restarts: Counter
    transmitter_lag: Gauge

    def summary(self) -> TelemetrySummary:
        return TelemetrySummary(
            fetched_bytes=_total(self.fetched_bytes),
            prepared_items=_total(self.prepared),
            rejected_items=_total(self.rejected),
            aired_segments=_total(self.segments_aired),
            emergency_switches=_total(self.emergency_switches),
        )
