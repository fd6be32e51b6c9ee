"""The consent context's Prometheus series, on the registry it is given: invites by outcome."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class ConsentMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        # prometheus-client appends `_total` to counters when it renders them.
        self.invites = Counter(
            "vvtv_consent_invites",
            "Private-call invites by what became of them: queued, pending (asked), accepted"
            " (its call started), declined, expired, cancelled (CNS-1..5).",
            ["outcome"],
            registry=registry,
        )
        self.refusals = Counter(
            "vvtv_consent_refusals",
            "Invites and answers refused, by code (blocked, invite_pending, rate_limited ...).",
            ["code"],
            registry=registry,
        )
        for outcome in ("queued", "pending", "accepted", "declined", "expired", "cancelled"):
            self.invites.labels(outcome)
