"""The chat context's Prometheus series, on the registry it is given: counts by scope, never a
body or anything taken from one (TEL-3)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from vvtv.contracts.chat import ChatScope

SCOPES: tuple[ChatScope, ...] = ("private_1to1", "room", "performer_room", "live_public")


class ChatMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        # prometheus-client appends `_total` to counters when it renders them.
        self.messages = Counter(
            "vvtv_chat_messages", "Chat messages sent, by scope.", ["scope"], registry=registry
        )
        self.rate_limited = Counter(
            "vvtv_chat_rate_limited",
            "Chat messages refused by their scope's rate limit (CHT-4), by scope.",
            ["scope"],
            registry=registry,
        )
        self.refused = Counter(
            "vvtv_chat_refused",
            "Chat messages refused for what they hold (empty, too long, links), by scope and code.",
            ["scope", "code"],
            registry=registry,
        )
        self.reports = Counter(
            "vvtv_chat_reports",
            "Chat reports filed (MOD-1), by scope.",
            ["scope"],
            registry=registry,
        )
        self.automod = Counter(
            "vvtv_chat_automod",
            "Chat messages auto-moderation acted on, by scope and action (hold, block, timeout).",
            ["scope", "action"],
            registry=registry,
        )
        self.held_decisions = Counter(
            "vvtv_chat_held_decisions",
            "Held chat messages moderators decided, by scope and outcome (approved, rejected).",
            ["scope", "outcome"],
            registry=registry,
        )
        self.gated = Counter(
            "vvtv_chat_gated",
            "Chat messages refused by a timeout or Shield Mode's gates, by scope and code.",
            ["scope", "code"],
            registry=registry,
        )
        self.timeouts = Counter(
            "vvtv_chat_timeouts",
            "Chat timeouts given (automod `timeout` rules, Shield Mode's sweep).",
            registry=registry,
        )
        self.followers = Gauge(
            "vvtv_chat_followers",
            "Sockets following chat threads: a room's subscribers, a private thread's pair's tabs.",
            registry=registry,
        )
        for scope in SCOPES:
            self.messages.labels(scope)
            self.rate_limited.labels(scope)
            self.reports.labels(scope)
