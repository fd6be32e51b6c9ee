"""Shield Mode's Prometheus series, on the registry it is given."""

from __future__ import annotations

from prometheus_client import Counter
from prometheus_client import Gauge

from vvtv.observability.series import Catalogued


class ShieldMetrics(Catalogued, section="shield"):
    active: Gauge
    switches: Counter
    swept: Counter
