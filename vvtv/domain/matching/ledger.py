"""One user's anti-abuse ledger (ABU-1..6): what they did recently that limits what they may do
next, and each limit's typed refusal with the wait the UI shows (ABU-7).

- A skip sooner than `min_time_before_skip_s` after the call started is refused (`too_early`).
- More than `max_skips_per_minute` skips in a minute trips the kill switch (`kill_switch`).
- Each skip starts a cooldown from the schedule, by how many skips fell in `quick_skip_window_s`:
  the 4th gets 3 s with the shipped schedule (ABU-1); a join before it ends is `cooldown`.
- Joining again within a minute of leaving (or of losing every tab) is a reconnect: at most
  `reconnects_per_minute` of them, the Nth at least the Nth backoff after leaving
  (`reconnect_budget`, ABU-3).
- At most `hourly_cap` matches an hour, fewer for a quarantined account (`hourly_cap`, ABU-4/5).
"""

from __future__ import annotations

from vvtv.contracts.matching import MatchRefusalCode
from vvtv.domain.matching.rules import HOUR_S
from vvtv.domain.matching.rules import MINUTE_S
from vvtv.domain.matching.rules import MatchRules
from vvtv.domain.rate_limit import Limit
from vvtv.domain.rate_limit import forget
from vvtv.domain.rate_limit import prune
from vvtv.domain.rate_limit import record
from vvtv.domain.rate_limit import retry_after
from vvtv.domain.values import frozen

# The wire's codes are the rules' (ARC-1 lets the domain read contracts).
RefusalCode = MatchRefusalCode
# The refusals telemetry's `match_blocked` counts: the anti-abuse rules (the rest are misuse).
ABUSE_CODES: frozenset[RefusalCode] = frozenset(
    {"cooldown", "too_early", "hourly_cap", "reconnect_budget", "kill_switch"}
)


@frozen
class Refusal:
    code: RefusalCode
    text: str
    retry_after_s: float | None = None  # None: waiting will not help (the state must change)


class Ledger:
    """Mutable, with one owner (the matching actor), like every other piece of its book. Times
    are on the owner's monotonic clock."""

    __slots__ = ("cooldown_until", "left_at", "matches", "met", "reconnects", "skips")

    def __init__(self) -> None:
        self.skips: tuple[float, ...] = ()
        self.matches: tuple[float, ...] = ()
        self.reconnects: tuple[float, ...] = ()
        self.left_at: float | None = None
        self.cooldown_until = 0.0
        self.met: dict[str, float] = {}  # peer -> when they were matched

    # -- joining ----------------------------------------------------------------------------------

    def join_refusal(self, quarantined: bool, now: float, rules: MatchRules) -> Refusal | None:
        if now < self.cooldown_until:
            wait = self.cooldown_until - now
            return Refusal("cooldown", f"Wait {wait:.0f} s before searching again.", wait)
        if (capped := self.hourly_refusal(quarantined, now, rules)) is not None:
            return capped
        if not self._reconnecting(now):
            return None
        assert self.left_at is not None  # reconnecting: they left within the minute
        budget = Limit(rules.reconnects_per_minute, MINUTE_S)
        if (wait_s := retry_after(self.reconnects, now, budget)) is not None:
            return Refusal(
                "reconnect_budget", f"Too many reconnects; try again in {wait_s:.0f} s.", wait_s
            )
        backoff = rules.reconnect_backoff_s
        nth = len(prune(self.reconnects, now, budget))
        ready_at = self.left_at + backoff[min(nth, len(backoff) - 1)]
        if now < ready_at:
            wait = ready_at - now
            return Refusal("reconnect_budget", f"Reconnect in {wait:.0f} s.", wait)
        return None

    def joined(self, now: float, rules: MatchRules) -> None:
        """A join was taken: it spends a reconnect if it is one."""
        if self._reconnecting(now):
            budget = Limit(rules.reconnects_per_minute, MINUTE_S)
            self.reconnects = record(self.reconnects, now, budget)
        self.left_at = None

    def left(self, now: float) -> None:
        self.left_at = now

    def _reconnecting(self, now: float) -> bool:
        return self.left_at is not None and now - self.left_at < MINUTE_S

    # -- matches ----------------------------------------------------------------------------------

    def hourly_refusal(self, quarantined: bool, now: float, rules: MatchRules) -> Refusal | None:
        cap = Limit(rules.hourly_cap(quarantined), HOUR_S)
        if (wait := retry_after(self.matches, now, cap)) is None:
            return None
        # No figure: a shadow quarantine's lower cap must not show through (MOD-4).
        return Refusal(
            "hourly_cap", f"That is as many matches as an hour allows; more in {wait:.0f} s.", wait
        )

    def matched(self, peer: str, now: float) -> None:
        self.matches = (*prune(self.matches, now, Limit(1, HOUR_S)), now)
        self.met[peer] = now

    def unmatched(self, at: float) -> None:
        """The match made at `at` never became a call: it does not count towards the cap."""
        self.matches = forget(self.matches, at)

    def met_until(self, peer: str, rules: MatchRules) -> float | None:
        """Until when `peer` may not be met again; None if they have not met recently."""
        met_at = self.met.get(peer)
        return None if met_at is None else met_at + rules.no_repeat_window_s

    def matches_left(self, quarantined: bool, now: float, rules: MatchRules) -> int:
        recent = prune(self.matches, now, Limit(1, HOUR_S))
        return max(0, rules.hourly_cap(quarantined) - len(recent))

    # -- skips ------------------------------------------------------------------------------------

    def skip_refusal(
        self, live_since: float | None, now: float, rules: MatchRules
    ) -> Refusal | None:
        early_until = (now if live_since is None else live_since) + rules.min_time_before_skip_s
        if now < early_until:
            early = early_until - now
            return Refusal("too_early", f"Skip in {early:.1f} s: say hello first.", early)
        switch = Limit(rules.max_skips_per_minute, MINUTE_S)
        if (wait := retry_after(self.skips, now, switch)) is not None:
            return Refusal(
                "kill_switch", f"{switch.max_hits} skips a minute is the limit; wait {wait:.0f} s.",
                wait,
            )  # fmt: skip
        return None

    def skips_in_window(self, now: float, rules: MatchRules) -> int:
        return len(prune(self.skips, now, Limit(1, rules.quick_skip_window_s)))

    def skips_in_minute(self, now: float) -> int:
        return len(prune(self.skips, now, Limit(1, MINUTE_S)))

    def skipped(self, now: float, rules: MatchRules) -> tuple[int, float]:
        """Record a skip: its index among the quick skips (1-based) and the cooldown it earns."""
        window = max(rules.quick_skip_window_s, MINUTE_S)  # the kill switch looks a minute back
        self.skips = record(self.skips, now, Limit(1, window))
        index = self.skips_in_window(now, rules)
        cooldown = cooldown_for(index, rules)
        self.cooldown_until = max(self.cooldown_until, now + cooldown)
        return index, cooldown

    def next_cooldown_s(self, now: float, rules: MatchRules) -> float:
        return cooldown_for(self.skips_in_window(now, rules) + 1, rules)

    def pause(self, until: float) -> None:
        self.cooldown_until = max(self.cooldown_until, until)

    # -- forgetting -------------------------------------------------------------------------------

    def stale_at(self, rules: MatchRules) -> float:
        """When nothing in the ledger limits anything any more, so it may be forgotten."""
        ends = [self.cooldown_until]
        ends += [t + max(rules.quick_skip_window_s, MINUTE_S) for t in self.skips[-1:]]
        ends += [t + HOUR_S for t in self.matches[-1:]]
        ends += [t + MINUTE_S for t in self.reconnects[-1:]]
        if self.left_at is not None:
            ends.append(self.left_at + MINUTE_S)
        ends += [t + rules.no_repeat_window_s for t in self.met.values()]
        return max(ends)

    def forget_met(self, now: float, rules: MatchRules) -> None:
        for peer, met_at in list(self.met.items()):
            if met_at + rules.no_repeat_window_s <= now:
                del self.met[peer]


def cooldown_for(skip_index: int, rules: MatchRules) -> float:
    """ABU-1: the cooldown of the `skip_index`-th quick skip (1-based); past the schedule's end,
    its last figure."""
    schedule = rules.cooldown_schedule_s
    if skip_index < 1:
        return 0.0
    return schedule[min(skip_index, len(schedule)) - 1]
