"""Random's matching on the wire (MAT-1, ABU-7): what you search for, and where you stand, in
every state a UI shows: idle, searching, cooldown, connecting (paired, the call being made),
in_call."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.identity import UserId
from vvtv.contracts.presence import Language
from vvtv.contracts.presence import Tag
from vvtv.contracts.presence import Tags
from vvtv.contracts.sessions import Id

MatchStatus = Literal["idle", "searching", "cooldown", "connecting", "in_call"]
# Refused, each with its wait when waiting helps (ABU-7): `cooldown` after quick skips (ABU-1),
# `too_early` a skip before min_time_before_skip_ms (ABU-2), `reconnect_budget` (ABU-3),
# `hourly_cap` (ABU-4/5), `kill_switch` skips a minute (ABU-6); `in_match` a join while in a
# match, `not_in_call` a skip outside a call; `random_closed` Random is off or paused by the
# kill-switch ladder (no wait is given: it reopens when the load falls, not at a time).
MatchRefusalCode = Literal[
    "cooldown",
    "too_early",
    "hourly_cap",
    "reconnect_budget",
    "kill_switch",
    "in_match",
    "not_in_call",
    "random_closed",
]
# Why your match (or search) ended: `peer_left` covers a peer who left, lost every tab, was
# banned or blocked you (which one is not said, MOD-2); `call_failed`: the call could not start.
MatchEndReason = Literal[
    "skipped", "peer_skipped", "left", "peer_left", "blocked", "session_ended", "call_failed"
]


class JoinMatch(Contract):
    """Search in one language (a segment of its own: `pt` meets `pt`, none meets none), holding
    out for someone sharing a tag until `matching.relax_after_s`, then anyone there."""

    language: Language | None = None
    tags: Tags = []


class MatchPeer(Contract):
    user_id: UserId
    handle: str


class MatchQuarantine(Contract):
    """A new account's limits in Random, told to its owner (MOD-6, ABU-4/5): for its first
    `account_age_days` days it meets only other new accounts, at most `max_matches_per_hour`
    matches an hour, its calls' video at most `max_video_bitrate_kbps` and `max_fps`."""

    account_age_days: Count
    max_matches_per_hour: Count
    max_video_bitrate_kbps: Count
    max_fps: Count


class MatchState(Contract):
    """Where you stand in Random, for the reply to each call and a client that (re)loads."""

    status: MatchStatus
    language: Language | None = None
    tags: list[Tag] = []
    searching_since: datetime | None = None
    cooldown_until: datetime | None = None  # a join before this is refused `cooldown`
    match_id: Id | None = None
    session_id: Id | None = None  # the call, once it exists (in_call)
    peer: MatchPeer | None = None
    skip_allowed_at: datetime | None = None  # a skip before this is refused `too_early`
    next_cooldown_s: float = 0.0  # what your next skip will cost (ABU-1)
    matches_left: Count = 0  # this hour (ABU-5)
    # Set while your account is new (MOD-6): what limits you; None otherwise.
    quarantine: MatchQuarantine | None = None
