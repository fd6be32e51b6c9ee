"""The consent context's Prometheus series, on the registry it is given: invites by outcome."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from vvtv.observability.series import Series


class ConsentMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        series = Series(registry)
        self.invites = series.counter(
            "vvtv_consent_invites",
            "Private-call invites by what became of them: queued, pending (asked), accepted"
            " (its call started), declined, expired, cancelled (CNS-1..5).",
            {"outcome": ("queued", "pending", "accepted", "declined", "expired", "cancelled")},
        )
        self.refusals = series.counter(
            "vvtv_consent_refusals",
            "Invites and answers refused, by code (blocked, invite_pending, rate_limited ...).",
            ["code"],
        )
