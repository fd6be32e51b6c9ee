"""The figures matching decides by: cost-tiers.yaml's `anti_abuse`, `matching` and the skip kill
switch, in seconds (ABU-7: none is written in code)."""

from __future__ import annotations

from dataclasses import dataclass

MINUTE_S = 60.0  # `attempts_per_minute` and `max_skips_per_minute` name their window
HOUR_S = 3600.0  # `max_matches_per_hour` names its window


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchRules:
    cooldown_schedule_s: tuple[float, ...]  # the Nth quick skip waits the Nth figure (ABU-1)
    quick_skip_window_s: float  # skips older than this no longer count towards the schedule
    min_time_before_skip_s: float  # a call younger than this cannot be skipped (ABU-2)
    reconnects_per_minute: int  # re-joins after leaving or losing every tab (ABU-3)
    reconnect_backoff_s: tuple[float, ...]  # the Nth of them waits this long after leaving
    max_matches_per_hour: int  # (ABU-5)
    quarantine_max_matches_per_hour: int  # new accounts, in their own pool (ABU-4/5)
    max_skips_per_minute: int  # the kill switch (ABU-6)
    relax_after_s: float  # hold out for a shared tag this long, then anyone in the segment
    no_repeat_window_s: float  # two who met are not paired again within this
    call_failed_pause_s: float  # a pair whose call could not start searches again after this

    def hourly_cap(self, quarantined: bool) -> int:
        if quarantined:
            return min(self.quarantine_max_matches_per_hour, self.max_matches_per_hour)
        return self.max_matches_per_hour
