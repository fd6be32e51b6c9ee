"""The kill-switch ladder (INV-7, TEL-4, THB-6): the product steps down, one step at a time in the
configured order, while egress stays above the ceiling, and back up once it falls well below.

    level 0                 nothing engaged (live thumbs at full quality)
    level n (1..len)        steps[0..n-1] engaged, e.g. degraded_thumbs → stills →
                            party_tiles_off → random_paused → new_calls_refused

    load > ceiling                        and dwelt min_dwell_s → one step down (level + 1)
    load < ceiling × step_up_fraction     and dwelt min_dwell_s → one step up (level - 1)
    in between                                                  → hold (hysteresis)

Every change waits `min_dwell_s` after the previous one, so a load wobbling around either
threshold changes the level at most once per dwell: it never flaps. An operator's override pins
the level (any level, 0 included) until it is lifted; the load keeps being judged underneath, so
lifting it resumes from the level the load has reached.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final
from typing import Literal

from vvtv.domain.values import frozen

# The steps the product knows how to take; config orders them (and may leave some out).
STEPS: Final[tuple[str, ...]] = (
    "degraded_thumbs",
    "stills",
    "party_tiles_off",
    "random_paused",
    "new_calls_refused",
)


@frozen
class LadderRules:
    steps: tuple[str, ...]
    ceiling_gb_per_hour: float
    step_up_fraction: float
    min_dwell_s: float


@frozen
class Ladder:
    automatic: int = 0  # the level the load has reached
    changed_at: float | None = None  # when `automatic` last changed (trio time)
    override: int | None = None  # the operator's pinned level, if any

    @property
    def level(self) -> int:
        return self.automatic if self.override is None else self.override


@frozen
class Changed:
    """The effective level moved: audit it, meter it, alert on it, tell the users."""

    before: int
    after: int
    cause: Literal["load", "override"]
    load_gb_per_hour: float | None = None


def observe(
    ladder: Ladder, load_gb_per_hour: float, at: float, rules: LadderRules
) -> tuple[Ladder, Changed | None]:
    """One sample of the aggregate egress."""
    dwelt = ladder.changed_at is None or at - ladder.changed_at >= rules.min_dwell_s
    automatic = ladder.automatic
    if dwelt and load_gb_per_hour > rules.ceiling_gb_per_hour and automatic < len(rules.steps):
        automatic += 1
    elif (
        dwelt
        and load_gb_per_hour < rules.ceiling_gb_per_hour * rules.step_up_fraction
        and automatic > 0
    ):
        automatic -= 1
    if automatic == ladder.automatic:
        return ladder, None
    new = replace(ladder, automatic=automatic, changed_at=at)
    if new.level == ladder.level:
        return new, None  # pinned by an override: the users see no change
    return new, Changed(ladder.level, new.level, "load", load_gb_per_hour)


def pin(ladder: Ladder, level: int | None, rules: LadderRules) -> tuple[Ladder, Changed | None]:
    """The operator pins `level` (0..len(steps)), or lifts the pin with None."""
    if level is not None and not 0 <= level <= len(rules.steps):
        raise ValueError(f"level {level} is not between 0 and {len(rules.steps)}")
    new = replace(ladder, override=level)
    if new.level == ladder.level:
        return new, None
    return new, Changed(ladder.level, new.level, "override")


def engaged(level: int, step: str, rules: LadderRules) -> bool:
    """Whether `step` is taken at `level` (a step config leaves out is never taken)."""
    return step in rules.steps[:level]


def step_name(level: int, rules: LadderRules) -> str | None:
    """The last step taken at `level`; None at level 0."""
    return rules.steps[level - 1] if level else None
