"""The matching context's Prometheus series, on the registry it is given (TEL-5: matching's
health is its waits, its refusals and the calls it could not start)."""

from __future__ import annotations

from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram

from vvtv.observability.series import Catalogued


class MatchingMetrics(Catalogued, section="matching"):
    pairs: Counter
    refusals: Counter
    skips: Counter
    cooldowns: Counter
    call_failures: Counter
    wait: Histogram
    searching: Gauge
