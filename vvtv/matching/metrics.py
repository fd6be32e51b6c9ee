"""The matching context's Prometheus series, on the registry it is given (TEL-5: matching's
health is its waits, its refusals and the calls it could not start)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from vvtv.observability.series import Series


class MatchingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        series = Series(registry)
        self.pairs = series.counter(
            "vvtv_matching_pairs",
            "Pairs matching decided, by pool (open, quarantine); each asks for one call.",
            {"pool": ("open", "quarantine")},
        )
        self.refusals = series.counter(
            "vvtv_matching_refusals",
            "Joins, skips and resumed searches refused, by code (cooldown, too_early,"
            " hourly_cap, reconnect_budget, kill_switch, in_match, not_in_call) (ABU-7).",
            ["code"],
        )
        self.skips = series.counter("vvtv_matching_skips", "Skips taken (MAT-5).")
        self.cooldowns = series.counter(
            "vvtv_matching_cooldowns", "Cooldowns started by a skip (ABU-1)."
        )
        self.call_failures = series.counter(
            "vvtv_matching_call_failures", "Matches whose call the orchestrator could not start."
        )
        self.wait = series.histogram(
            "vvtv_matching_wait_seconds",
            "From searching to matched.",
            buckets=(0.01, 0.05, 0.25, 1, 5, 10, 30, 60, 300),
        )
        self.searching = series.gauge("vvtv_matching_searching", "People in the queue now.")
