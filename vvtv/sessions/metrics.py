"""The sessions context's Prometheus series, on the registry it is given (no globals)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from vvtv.observability.series import Series


class SessionMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        series = Series(registry)
        self.revoke_failures = series.counter(
            "vvtv_session_revoke_failures",
            "Sessions whose media endpoints could not be revoked (now failed), by mode (SES-10).",
            ["mode"],
        )
        self.estimated_egress = series.counter(
            "vvtv_session_estimated_egress_bytes",
            "Estimated egress of finished sessions: ceiling bitrate x duration x direction"
            " factor, by mode (SES-12).",
            ["mode"],
        )
