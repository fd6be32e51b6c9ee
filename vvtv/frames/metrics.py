"""The frame checks' Prometheus series: checks by outcome and what they cost (issue 16)."""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter
from prometheus_client import Gauge

from vvtv.observability.series import Catalogued

# A frame's strongest outcome, the `outcome` label's values.
CheckOutcome = Literal["clear", "blur", "report", "end_call"]


class FrameCheckMetrics(Catalogued, section="frames"):
    checks: Counter
    cpu: Counter
    blurred: Gauge
