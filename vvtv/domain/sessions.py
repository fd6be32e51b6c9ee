"""The session state machine (SES-4) and its rules, as a pure `decide(session, message)`.

    creating ──▶ active ──▶ ending ──▶ ended
        │                      │
        └──────────────────────┘──▶ failed (only from ending: the revoke failed, SES-10)

`creating → ending` is the one edge beyond the spec's chain: a session whose endpoints could not be
created (or that a dead process left half-made) still goes through `ending`, so whatever the
provider may hold is revoked the same way as for any other session. `ended` and `failed` are final.
Every decision is a new `Session` value plus effects (values) that the actor performs in order;
a message the table forbids yields only a `Refuse` and leaves the session untouched. Signalling
(an SDP offer, TURN credentials) changes no state but is only answered while the session is
`active`, in turn with its transitions.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Final
from typing import Literal

from vvtv.contracts.sessions import AudienceType
from vvtv.contracts.sessions import PolicySnapshot
from vvtv.contracts.sessions import SessionOffer
from vvtv.contracts.sessions import SessionState
from vvtv.contracts.sessions import StreamTransport
from vvtv.domain.values import frozen

TRANSITIONS: Final[dict[SessionState | None, frozenset[SessionState]]] = {
    None: frozenset({"creating"}),
    "creating": frozenset({"active", "ending"}),
    "active": frozenset({"ending"}),
    "ending": frozenset({"ended", "failed"}),
    "ended": frozenset(),
    "failed": frozenset(),
}
FINAL: Final[frozenset[SessionState]] = frozenset({"ended", "failed"})


def allowed(source: SessionState | None, target: SessionState) -> bool:
    return target in TRANSITIONS[source]


# --- the session value ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """Everything one session actor owns; persisted after every change."""

    id: str
    mode: str
    ecosystem: str
    audience_type: AudienceType
    stream_transport: StreamTransport
    intent_label: str
    media_profile: str | None
    webrtc: bool  # whether the media provider holds endpoints for it
    participants: tuple[str, ...]
    policy: PolicySnapshot
    created_at: datetime
    parent_session_id: str | None = None
    state: SessionState = "creating"
    started_at: datetime | None = None  # when media could flow: the start of the cost estimate
    ended_at: datetime | None = None
    end_reason: str | None = None
    # The participant whose hang-up or silence ended it (None: the system did, e.g. a restart),
    # so the others can be told who left.
    ended_by: str | None = None
    bitrate_kbps: int = 0  # the profile's video + audio ceiling (TEL-4)
    direction_factor: float = 0.0  # per ecosystem: a call is sent both ways
    estimated_egress_bytes: int = 0  # final once ended; see `running_egress_bytes`


def egress_bytes(bitrate_kbps: int, direction_factor: float, seconds: float) -> int:
    """SES-12 / INV-10: the ceiling bitrate sent for `seconds`, times the direction factor."""
    return int(bitrate_kbps * 1000 / 8 * direction_factor * max(seconds, 0.0))


def running_egress_bytes(session: Session, now: datetime) -> int:
    """The estimate so far: final once the session has ended, growing while it runs."""
    if session.started_at is None:
        return 0
    if session.ended_at is not None:
        return session.estimated_egress_bytes
    seconds = (now - session.started_at).total_seconds()
    return egress_bytes(session.bitrate_kbps, session.direction_factor, seconds)


# The states in which a session counts against its participants' `max_concurrent_per_user`: one
# `ending` is already on its way out (a transition ends the previous session before the next).
HOLDING: tuple[SessionState, ...] = ("creating", "active")


def may_hold_another(held: Set[str], reserved: Set[str], limit: int) -> bool:
    """Whether a user holding the sessions `held`, with the sessions `reserved` being created, may
    start one more under `sessions.max_concurrent_per_user` (OPS-5: two devices of one user). A
    session already written but not yet released from its reservation counts once."""
    return len(held | reserved) < limit


def may_act(session: Session, user_id: str, is_admin: bool) -> bool:
    """Only a session's participants, or an admin, may see it or act on it."""
    return is_admin or user_id in session.participants


MediaPlan = Literal["endpoints", "none", "mismatch"]


def media_plan(profile_transport: str, stream_transport: StreamTransport) -> MediaPlan:
    """WebRTC profiles get provider endpoints; local (mirror) and HLS ones need none; a profile
    whose transport contradicts the requested one is refused before anything is created."""
    if profile_transport == "local":
        return "none"
    if profile_transport != stream_transport:
        return "mismatch"
    return "endpoints" if profile_transport == "webrtc" else "none"


# --- messages (what happened) --------------------------------------------------------------------


@frozen
class Create:
    session: Session


@frozen
class EndpointsReady:
    at: datetime


@frozen
class EndpointsFailed:
    at: datetime
    error: str


@frozen
class End:
    """A participant ends it, or a transition moves away from it (reason `transition`); `by`
    who asked."""

    at: datetime
    reason: str
    by: str | None = None


@frozen
class Heartbeat:
    """From participant `by`: their deadline starts again. From anyone else (an admin, or
    `by` None) every participant's does."""

    by: str | None = None


@frozen
class HeartbeatTimeout:
    """Participant `of` went silent (None: the session as a whole, e.g. a timer of old)."""

    at: datetime
    of: str | None = None


@frozen
class Abandoned:
    """Found unfinished at start-up: the process that owned it died (crash recovery)."""

    at: datetime


@frozen
class Revoked:
    at: datetime


@frozen
class RevocationFailed:
    at: datetime
    error: str


@frozen
class Offer:
    """A participant's SDP offer for its own endpoint in the session."""

    participant_id: str
    offer: SessionOffer


@frozen
class RequestTurn:
    """Someone in the session wants TURN credentials for its peer connections."""


Message = (
    Create
    | EndpointsReady
    | EndpointsFailed
    | End
    | Heartbeat
    | HeartbeatTimeout
    | Abandoned
    | Revoked
    | RevocationFailed
    | Offer
    | RequestTurn
)

# --- effects (what the actor must do, in order) --------------------------------------------------


@frozen
class Persist:
    session: Session


@frozen
class CreateEndpoints:
    session_id: str
    profile: str | None
    participants: tuple[str, ...]
    webrtc: bool


@frozen
class RevokeEndpoints:
    session_id: str
    webrtc: bool


@frozen
class EmitState:
    participants: tuple[str, ...]
    session_id: str
    state: SessionState
    reason: str | None
    ended_by: str | None = None


@frozen
class ArmHeartbeat:
    """Start these participants' heartbeat deadlines again: each of them is watched on their
    own, so one who goes silent ends the session though the others keep beating (a call is
    over when either side is gone)."""

    session_id: str
    participants: tuple[str, ...]


@frozen
class DisarmHeartbeat:
    session_id: str


@frozen
class CountEgress:
    mode: str
    egress_bytes: int


@frozen
class Alert:
    """The operator must know: a metric, an ERROR log line and an audit entry (SES-10)."""

    session_id: str
    reason: str


@frozen
class AnswerOffer:
    """Ask the media provider to answer the offer; its answer is the reply."""

    session_id: str
    participant_id: str
    offer: SessionOffer


@frozen
class IssueTurn:
    """Ask the media provider for TURN credentials; they are the reply."""

    session_id: str


RefusalCode = Literal["not_found", "invalid_state"]


@frozen
class Refuse:
    code: RefusalCode
    message: str


Effect = (
    Persist
    | CreateEndpoints
    | RevokeEndpoints
    | EmitState
    | ArmHeartbeat
    | DisarmHeartbeat
    | CountEgress
    | Alert
    | AnswerOffer
    | IssueTurn
    | Refuse
)
Decision = tuple[Session | None, tuple[Effect, ...]]


# --- decide --------------------------------------------------------------------------------------


def decide(session: Session | None, message: Message) -> Decision:
    """The next session value and the effects to perform; forbidden messages yield a `Refuse`."""
    if isinstance(message, Create):
        if session is not None:
            return session, (Refuse("invalid_state", "This session already exists."),)
        new = replace(message.session, state="creating")
        return new, (
            Persist(new),
            CreateEndpoints(new.id, new.media_profile, new.participants, new.webrtc),
        )
    if session is None:
        return None, (Refuse("not_found", "No such session."),)
    match message:
        case EndpointsReady(at) if session.state == "creating":
            new = replace(session, state="active", started_at=at)
            return new, (Persist(new), _emit(new), ArmHeartbeat(new.id, new.participants))
        case EndpointsFailed(at, error) if session.state == "creating":
            return _begin_ending(session, at, f"endpoints_failed: {error}")
        case End(at, reason, by) if session.state == "active":
            return _begin_ending(session, at, reason, by)
        case Heartbeat(by) if session.state == "active":
            beating = tuple(p for p in session.participants if p == by) or session.participants
            return session, (ArmHeartbeat(session.id, beating),)
        case HeartbeatTimeout(at, of) if session.state == "active":
            return _begin_ending(session, at, "timeout", of)
        case HeartbeatTimeout():
            return session, ()  # a late timer of a session already leaving: nothing to do
        case Abandoned(at) if session.state in ("creating", "active"):
            return _begin_ending(session, at, "abandoned")
        case Abandoned(at) if session.state == "ending":
            return session, (RevokeEndpoints(session.id, session.webrtc),)
        case Revoked(at) if session.state == "ending":
            return _finish(session, at, "ended", ())
        case RevocationFailed(at, error) if session.state == "ending":
            return _finish(session, at, "failed", (Alert(session.id, error),))
        case Offer(participant_id, offer) if session.state == "active":
            return session, (AnswerOffer(session.id, participant_id, offer),)
        case RequestTurn() if session.state == "active":
            return session, (IssueTurn(session.id),)
        case Offer() | RequestTurn():
            return session, (Refuse("invalid_state", f"Session {session.id} is {session.state}."),)
    return session, (
        Refuse("invalid_state", f"The session is {session.state}; this is not possible now."),
    )


def _begin_ending(session: Session, at: datetime, reason: str, by: str | None = None) -> Decision:
    new = replace(
        session,
        state="ending",
        ended_at=at,
        end_reason=reason,
        ended_by=by,
        estimated_egress_bytes=running_egress_bytes(session, at),
    )
    return new, (
        DisarmHeartbeat(new.id),
        Persist(new),
        _emit(new),
        RevokeEndpoints(new.id, new.webrtc),
    )


def _finish(
    session: Session, at: datetime, state: SessionState, extra: tuple[Effect, ...]
) -> Decision:
    # The end time is when the session left `active` (set by `_begin_ending`): revoking is not use.
    new = replace(session, state=state, ended_at=session.ended_at or at)
    return new, (
        Persist(new),
        *extra,
        _emit(new),
        CountEgress(new.mode, new.estimated_egress_bytes),
    )


def _emit(session: Session) -> EmitState:
    return EmitState(
        session.participants, session.id, session.state, session.end_reason, session.ended_by
    )
