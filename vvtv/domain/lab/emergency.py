"""When the reserve loop airs (LAB-6), as one pure rule.

The plan yields to the reserve at once when the pipeline is down, or at an item's end when the
queue is dry. It comes back only when the pipeline is up, the queue holds `resume_slack_s`, and
the reserve has aired at least `min_dwell_s`: this hysteresis is what stops flapping.
"""

from __future__ import annotations

from typing import Literal

import msgspec

Source = Literal["plan", "reserve"]


class AirSituation(msgspec.Struct, frozen=True, kw_only=True):
    on_air: Source
    at_item_end: bool  # the current item has no more segments
    pipeline_up: bool
    queue_slack_s: float
    queue_items: int
    reserve_since: float | None  # trio time the reserve loop went on air
    now: float


def choose_source(situation: AirSituation, *, resume_slack_s: float, min_dwell_s: float) -> Source:
    s = situation
    if s.on_air == "plan":
        if not s.pipeline_up:
            return "reserve"
        if s.at_item_end and s.queue_items == 0:
            return "reserve"
        return "plan"
    rested = s.reserve_since is None or s.now - s.reserve_since >= min_dwell_s
    if s.pipeline_up and s.queue_items > 0 and s.queue_slack_s >= resume_slack_s and rested:
        return "plan"
    return "reserve"
