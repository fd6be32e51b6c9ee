"""The moderation context's Prometheus series: reports by context and reason, decisions by
action, the open queue's length. Never who reported whom (TEL-3)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from vvtv.observability.series import Series


class ModerationMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        series = Series(registry)
        self.filed = series.counter(
            "vvtv_reports_filed",
            "Reports filed (MOD-1, MOD-5), by context and reason code.",
            ["context", "reason_code"],
        )
        self.rate_limited = series.counter(
            "vvtv_reports_rate_limited",
            "Report filings refused over one reporter's reports.file_rate.",
        )
        self.decisions = series.counter(
            "vvtv_moderation_decisions",
            "Moderators' decisions (TEL-6), by action; a bulk decision counts once.",
            ["action"],
        )
        self.decided_reports = series.counter(
            "vvtv_reports_decided", "Reports decided, by the decision's action.", ["action"]
        )
        self.open = series.gauge(
            "vvtv_reports_open", "Reports waiting in the moderators' queue (open or claimed)."
        )
