"""The consent context's Prometheus series, on the registry it is given: invites by outcome."""

from __future__ import annotations

from prometheus_client import Counter

from vvtv.observability.series import Catalogued


class ConsentMetrics(Catalogued, section="consent"):
    invites: Counter
    refusals: Counter
