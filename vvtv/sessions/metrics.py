"""The sessions context's Prometheus series, on the registry it is given (no globals)."""

from __future__ import annotations

from prometheus_client import Counter

from vvtv.observability.series import Catalogued


class SessionMetrics(Catalogued, section="sessions"):
    revoke_failures: Counter
    estimated_egress: Counter
