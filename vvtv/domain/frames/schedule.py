"""Which frames of one published camera are checked: densely in the stream's first seconds and
after a report on its publisher, sparsely otherwise. Times are any monotonic clock's seconds."""

from __future__ import annotations

import math
from dataclasses import dataclass

from vvtv.domain.values import frozen


@frozen
class SamplingRules:
    early_window_s: float
    early_interval_s: float
    report_window_s: float
    later_interval_s: float


@dataclass(slots=True)
class Schedule:
    """One stream's: it starts when its publisher's camera starts sending (a call, a tile)."""

    started_at: float
    dense_until: float = -math.inf  # a report asked for dense checks until then
    last_at: float | None = None  # when a frame was last taken

    def interval(self, now: float, rules: SamplingRules) -> float:
        dense = now < self.started_at + rules.early_window_s or now < self.dense_until
        return rules.early_interval_s if dense else rules.later_interval_s

    def due(self, now: float, rules: SamplingRules) -> bool:
        return self.last_at is None or now - self.last_at >= self.interval(now, rules)

    def take(self, now: float) -> None:
        self.last_at = now

    def report(self, now: float, rules: SamplingRules) -> None:
        """Its publisher was reported: the next frame is checked, then densely for a while."""
        self.dense_until = now + rules.report_window_s
        self.last_at = None
