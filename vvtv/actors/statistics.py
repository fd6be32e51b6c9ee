"""Per-kind statistics: an immutable snapshot (trio's `statistics()` style) for metrics."""

from __future__ import annotations

import msgspec


class KindStatistics(msgspec.Struct, frozen=True, kw_only=True):
    """Counters (`*_total`) since the registry opened, and gauges at the time of the snapshot."""

    actors_live: int
    queued_messages: int
    mailbox_depth_max: int
    messages_processed_total: int
    crashes_total: int
    restarts_total: int
    gave_up_total: int
    passivations_total: int
    spawns_total: int
    ask_timeouts_total: int
    mailbox_full_total: int


class KindCounters:
    """The mutable counters behind `KindStatistics`, bumped on the hot path (hence plain slots)."""

    __slots__ = (
        "ask_timeouts",
        "crashes",
        "gave_up",
        "mailbox_full",
        "passivations",
        "processed",
        "restarts",
        "spawns",
    )

    def __init__(self) -> None:
        self.processed = 0
        self.crashes = 0
        self.restarts = 0
        self.gave_up = 0
        self.passivations = 0
        self.spawns = 0
        self.ask_timeouts = 0
        self.mailbox_full = 0

    def snapshot(self, *, actors_live: int, depths: list[int]) -> KindStatistics:
        return KindStatistics(
            actors_live=actors_live,
            queued_messages=sum(depths),
            mailbox_depth_max=max(depths, default=0),
            messages_processed_total=self.processed,
            crashes_total=self.crashes,
            restarts_total=self.restarts,
            gave_up_total=self.gave_up,
            passivations_total=self.passivations,
            spawns_total=self.spawns,
            ask_timeouts_total=self.ask_timeouts,
            mailbox_full_total=self.mailbox_full,
        )
