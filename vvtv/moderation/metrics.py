"""The moderation context's Prometheus series: reports by context and reason, decisions by
action, the open queue's length. Never who reported whom (TEL-3)."""

from __future__ import annotations

from prometheus_client import Counter
from prometheus_client import Gauge

from vvtv.observability.series import Catalogued


class ModerationMetrics(Catalogued, section="moderation"):
    filed: Counter
    rate_limited: Counter
    decisions: Counter
    decided_reports: Counter
    open: Gauge
