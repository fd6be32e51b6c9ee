"""The chat context's Prometheus series, on the registry it is given: counts by scope, never a
body or anything taken from one (TEL-3)."""

from __future__ import annotations

from prometheus_client import Counter
from prometheus_client import Gauge

from vvtv.observability.series import Catalogued


class ChatMetrics(Catalogued, section="chat"):
    messages: Counter
    rate_limited: Counter
    refused: Counter
    reports: Counter
    automod: Counter
    held_decisions: Counter
    gated: Counter
    timeouts: Counter
    followers: Gauge
