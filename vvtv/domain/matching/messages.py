"""What the matching actor is told, and what `decide` asks it to do, as values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Literal

from vvtv.domain.matching.book import Pool
from vvtv.domain.matching.book import Status
from vvtv.domain.matching.ledger import Refusal
from vvtv.domain.timer import WakeAt
from vvtv.domain.values import frozen

LeaveReason = Literal["left", "disconnected", "banned"]
# Why a match (or a search) ended, as the person told sees it: `peer_left` covers a peer who
# left, lost every tab, was banned or blocked them (which one is not said, MOD-2).
EndReason = Literal[
    "skipped", "peer_skipped", "left", "peer_left", "blocked", "session_ended", "call_failed"
]
PropertyValue = str | int | float | bool

# --- messages ------------------------------------------------------------------------------------


@frozen
class Join:
    """Search (MAT-1), or change what you search for while you do. `quarantined` and `blocked`
    are identity's answers as of now (ABU-4, MOD-2); `shadow`: the quarantine is a moderator's
    (MOD-4), applied like a new account's and never shown."""

    user_id: str
    language: str | None
    tags: frozenset[str]
    quarantined: bool
    blocked: frozenset[str]
    now: float
    shadow: bool = False


@frozen
class Skip:
    """End the call and search again, both of you (MAT-5)."""

    user_id: str
    now: float


@frozen
class Leave:
    user_id: str
    reason: LeaveReason
    now: float


@frozen
class Flagged:
    """The automated frame checks scored `user_id`'s camera at or above `end_call_at` (issue 16):
    their call ends as their skip, and they cool down `cooldown_s` before searching again."""

    user_id: str
    cooldown_s: float
    now: float


@frozen
class Block:
    """Identity's `on_block`: a block (or its lifting) between two users."""

    a: str
    b: str
    blocked: bool
    now: float


@frozen
class CallStarted:
    """The call a match asked for exists (the orchestrator made it, MAT-2)."""

    match_id: str
    session_id: str
    users: tuple[str, str]
    now: float


@frozen
class CallFailed:
    match_id: str
    now: float


@frozen
class EndedBy:
    """The participant a session names as having ended it (`ended_by`: who hung up or went
    silent), and the session's end reason."""

    user_id: str
    reason: str | None


@frozen
class SessionEnded:
    """A call ended outside matching; `by` None: nobody in it ended it (the system did, or a
    moderator), whatever the reason."""

    session_id: str
    now: float
    by: EndedBy | None = None


@frozen
class Pause:
    """The kill-switch ladder paused Random (`paused`, its `random_paused` step) or let it run
    again: while paused nobody searches and nobody joins."""

    paused: bool
    now: float


@frozen
class Tick:
    """The owner's timer: cooldowns ended, searches relaxed, ledgers to forget."""

    now: float


@frozen
class Look:
    """Where `user_id` stands, for a client that (re)loads; `quarantined` and `shadow` are
    identity's answers as of now (what an idle person would be told)."""

    user_id: str
    now: float
    quarantined: bool = False
    shadow: bool = False


Message = (
    Join
    | Skip
    | Leave
    | Flagged
    | Block
    | CallStarted
    | CallFailed
    | SessionEnded
    | Pause
    | Tick
    | Look
)

# --- effects -------------------------------------------------------------------------------------


@frozen
class Queued:
    """Searching, since `since`."""

    since: float


@frozen
class Call:
    """The call a match became: its session, and when either of the two may skip (ABU-2)."""

    session_id: str
    skip_allowed_at: float


@frozen
class Paired:
    """Matched with `peer_id`: connecting until the call exists (`call`), then in it."""

    match_id: str
    peer_id: str
    call: Call | None = None


# Where someone is, with what that alone has: idle and cooldown have nothing of their own (when a
# cooldown ends is the ledger's, told even to someone idle: a join before it is refused).
Place = Literal["idle", "cooldown"] | Queued | Paired


@frozen
class Standing:
    """One person's place in matching, for a reply or a reloading client (every UI state)."""

    place: Place = "idle"
    language: str | None = None
    tags: tuple[str, ...] = ()
    cooldown_until: float | None = None
    next_cooldown_s: float = 0.0  # what the next skip would cost (ABU-1)
    matches_left: int = 0  # this hour (ABU-5), by the cap they are told of
    # A new account's quarantine, which its owner is told of (MOD-6, ABU-4); never a shadow one
    # (MOD-4), whose subject is shown the open pool's figures.
    quarantined: bool = False

    @property
    def status(self) -> Status:
        match self.place:
            case Queued():
                return "searching"
            case Paired(call=None):
                return "connecting"
            case Paired():
                return "in_call"
            case idle_or_cooldown:
                return idle_or_cooldown


@frozen
class Searching:
    user_id: str
    since: float
    language: str | None


@frozen
class Found:
    """Told once the call exists: its session and who is on the other end."""

    user_id: str
    match_id: str
    session_id: str
    peer_id: str
    skip_allowed_at: float


@frozen
class CoolingDown:
    user_id: str
    until: float
    skips_in_window: int


@frozen
class Ended:
    user_id: str
    reason: EndReason
    match_id: str | None = None
    session_id: str | None = None


@frozen
class Refused:
    """A refusal no request waits for (a search that could not resume), pushed (ABU-7)."""

    user_id: str
    refusal: Refusal


Notice = Searching | Found | CoolingDown | Ended | Refused


@frozen
class StartCall:
    """Ask the orchestrator for the pair's call (MAT-2), then `CallStarted` or `CallFailed`."""

    match_id: str
    users: tuple[str, str]
    pool: Pool


@frozen
class EndCall:
    session_id: str
    by: str  # a participant: the one who skipped, left or blocked
    reason: Literal["skip", "user"]


@frozen
class Emit:
    """A telemetry event of the MAT-4 chain (declared in telemetry-events.yaml)."""

    name: str
    properties: Mapping[str, PropertyValue] = field(default_factory=dict)


@frozen
class Reply:
    standing: Standing


@frozen
class Refuse:
    refusal: Refusal


Effect = Notice | StartCall | EndCall | Emit | WakeAt | Reply | Refuse
