"""Per-service health (TEL-5) from what the actor kernel counts: a service is the actor kinds and
supervised loops it runs, judged between two samples of their counters.

    down      a loop of it is not running, or the supervisor gave up on one of its actors
    stuck     messages wait in its mailboxes and none was processed for `stuck_after_s`
    degraded  asks timed out or mailboxes overflowed since the last sample
    ok        none of these
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Final
from typing import Literal

from vvtv.domain.values import frozen

HealthState = Literal["ok", "degraded", "stuck", "down"]
STATES: Final[tuple[HealthState, ...]] = ("ok", "degraded", "stuck", "down")


@frozen
class KindSample:
    """One actor kind's (or supervised loop's) counters at one moment: the fields a judgment
    reads of the kernel's `KindStatistics`, by its names (those of the `vvtv_actor_*` series)."""

    actors_live: int
    queued_messages: int
    messages_processed_total: int
    gave_up_total: int
    ask_timeouts_total: int
    mailbox_full_total: int


@frozen
class Verdict:
    state: HealthState
    detail: str
    # Since when the queue has not moved (seconds on the sampler's clock), carried between samples.
    stalled_since: float | None = None


@frozen
class ServiceShape:
    """What a service runs: actor kinds (spawned on demand, so none may be live) and loops
    (supervised services that must always run)."""

    kinds: tuple[str, ...] = ()
    loops: tuple[str, ...] = ()


def judge(
    shape: ServiceShape,
    now: Mapping[str, KindSample],
    before: Mapping[str, KindSample],
    previous: Verdict | None,
    at: float,
    stuck_after_s: float,
) -> Verdict:
    """The service's state at `at`, given this sample, the last one and the last verdict."""
    missing = [name for name in (*shape.kinds, *shape.loops) if name not in now]
    if missing:
        return Verdict("down", "not running: " + ", ".join(missing))
    for loop in shape.loops:
        if now[loop].actors_live < 1:
            return Verdict("down", f"{loop} is not running")
    names = (*shape.kinds, *shape.loops)
    gave_up = [n for n in names if n in before and now[n].gave_up_total > before[n].gave_up_total]
    if gave_up:
        return Verdict("down", "the supervisor gave up on " + ", ".join(gave_up))
    queued = sum(now[n].queued_messages for n in shape.kinds)
    moved = any(
        n not in before or now[n].messages_processed_total != before[n].messages_processed_total
        for n in shape.kinds
    )
    stalled_since: float | None = None
    if queued and not moved:
        stalled_since = previous.stalled_since if previous and previous.stalled_since else at
        if at - stalled_since >= stuck_after_s:
            return Verdict(
                "stuck",
                f"{queued} messages waiting, none processed for {at - stalled_since:.0f} s",
                stalled_since,
            )
    overflowed = [
        n
        for n in names
        if n in before
        and (
            now[n].ask_timeouts_total > before[n].ask_timeouts_total
            or now[n].mailbox_full_total > before[n].mailbox_full_total
        )
    ]
    if overflowed:
        return Verdict(
            "degraded", "asks timed out or mailboxes overflowed: " + ", ".join(overflowed),
            stalled_since,
        )  # fmt: skip
    return Verdict("ok", f"{queued} queued" if queued else "", stalled_since)


def judge_channel(reports: Iterable[tuple[str, float]], stale_after_s: float) -> Verdict:
    """The 24/7 channel from its agents' last reports, as (on_air, seconds since the report):
    on air from the plan is ok, the reserve loop is degraded (emergency), else down."""
    reports = list(reports)
    if not reports:
        return Verdict("down", "no channel agent has reported")
    fresh = [on_air for on_air, age_s in reports if age_s <= stale_after_s]
    if not fresh:
        return Verdict("down", f"no agent has reported for {stale_after_s:.0f} s")
    if "plan" in fresh:
        return Verdict("ok", "on air")
    if "reserve" in fresh:
        return Verdict("degraded", "emergency: the reserve loop is on air")
    return Verdict("down", "off air")


def judge_capacity(used: int, cap: int, what: str) -> Verdict:
    """A service with one admission cap (the SFU's peer connections): degraded once it is full."""
    if used >= cap:
        return Verdict("degraded", f"at its cap of {cap} {what}")
    return Verdict("ok", f"{used} of {cap} {what}")
