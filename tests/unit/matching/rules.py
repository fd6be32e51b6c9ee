"""The shipped figures as `MatchRules`, for the matching tests that do not read config."""

from __future__ import annotations

from vvtv.domain.matching.rules import MatchRules

SHIPPED = MatchRules(
    cooldown_schedule_s=(0, 0, 0, 3, 5, 8, 15, 30, 60),
    quick_skip_window_s=600,
    min_time_before_skip_s=2.0,
    reconnects_per_minute=2,
    reconnect_backoff_s=(2, 10),
    max_matches_per_hour=120,
    quarantine_max_matches_per_hour=20,
    max_skips_per_minute=12,
    relax_after_s=10,
    no_repeat_window_s=600,
    call_failed_pause_s=2,
)
