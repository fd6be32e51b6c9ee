"""The moderation context's Prometheus series: reports by context and reason, decisions by
action, the open queue's length. Never who reported whom (TEL-3)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class ModerationMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        # prometheus-client appends `_total` to counters when it renders them.
        self.filed = Counter(
            "vvtv_reports_filed",
            "Reports filed (MOD-1, MOD-5), by context and reason code.",
            ["context", "reason_code"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "vvtv_reports_rate_limited",
            "Report filings refused over one reporter's reports.file_rate.",
            registry=registry,
        )
        self.decisions = Counter(
            "vvtv_moderation_decisions",
            "Moderators' decisions (TEL-6), by action; a bulk decision counts once.",
            ["action"],
            registry=registry,
        )
        self.decided_reports = Counter(
            "vvtv_reports_decided",
            "Reports decided, by the decision's action.",
            ["action"],
            registry=registry,
        )
        self.open = Gauge(
            "vvtv_reports_open",
            "Reports waiting in the moderators' queue (open or claimed).",
            registry=registry,
        )
