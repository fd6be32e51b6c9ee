"""The sessions context's Prometheus series, on the registry it is given (no globals)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class SessionMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        # prometheus-client appends `_total` to counters when it renders them.
        self.revoke_failures = Counter(
            "vvtv_session_revoke_failures",
            "Sessions whose media endpoints could not be revoked (now failed), by mode (SES-10).",
            ["mode"],
            registry=registry,
        )
        self.estimated_egress = Counter(
            "vvtv_session_estimated_egress_bytes",
            "Estimated egress of finished sessions: ceiling bitrate x duration x direction"
            " factor, by mode (SES-12).",
            ["mode"],
            registry=registry,
        )
