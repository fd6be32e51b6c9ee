"""The chat context's Prometheus series, on the registry it is given: counts by scope, never a
body or anything taken from one (TEL-3)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from vvtv.contracts.chat import ChatScope
from vvtv.observability.series import Series

SCOPES: tuple[ChatScope, ...] = ("private_1to1", "room", "performer_room", "live_public")


class ChatMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        series = Series(registry)
        self.messages = series.counter(
            "vvtv_chat_messages", "Chat messages sent, by scope.", {"scope": SCOPES}
        )
        self.rate_limited = series.counter(
            "vvtv_chat_rate_limited",
            "Chat messages refused by their scope's rate limit (CHT-4), by scope.",
            {"scope": SCOPES},
        )
        self.refused = series.counter(
            "vvtv_chat_refused",
            "Chat messages refused for what they hold (empty, too long, links), by scope and code.",
            ["scope", "code"],
        )
        self.reports = series.counter(
            "vvtv_chat_reports", "Chat reports filed (MOD-1), by scope.", {"scope": SCOPES}
        )
        self.automod = series.counter(
            "vvtv_chat_automod",
            "Chat messages auto-moderation acted on, by scope and action (hold, block, timeout).",
            ["scope", "action"],
        )
        self.held_decisions = series.counter(
            "vvtv_chat_held_decisions",
            "Held chat messages moderators decided, by scope and outcome (approved, rejected).",
            ["scope", "outcome"],
        )
        self.gated = series.counter(
            "vvtv_chat_gated",
            "Chat messages refused by a timeout or Shield Mode's gates, by scope and code.",
            ["scope", "code"],
        )
        self.timeouts = series.counter(
            "vvtv_chat_timeouts",
            "Chat timeouts given (automod `timeout` rules, Shield Mode's sweep).",
        )
        self.followers = series.gauge(
            "vvtv_chat_followers",
            "Sockets following chat threads: a room's subscribers, a private thread's pair's tabs.",
        )
