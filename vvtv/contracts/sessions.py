"""Session API bodies (CON-1): create, transition, end, get, heartbeat."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from typing import Literal

import msgspec

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.base import Serial

SessionState = Literal["creating", "active", "ending", "ended", "failed"]
AudienceType = Literal["self", "one_to_one", "group", "broadcast"]
StreamTransport = Literal["webrtc", "hls"]
HandoverHint = Literal["cut", "crossfade", "placeholder"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class PolicySnapshot(Contract):
    """The effective config and policy a session was created under; never changes afterwards."""

    config_version: str
    tier: str | None = None
    policy_version: Serial | None = None


class SessionSpec(Contract, kw_only=True):
    """What a new session is for and how its media flow: the part of a create or a transition
    that is not its mode (no route takes it alone)."""

    audience_type: AudienceType
    stream_transport: StreamTransport
    intent_label: Name
    media_profile: Name | None = None


# Not kw_only: msgspec puts a subclass's own positional fields before the inherited keyword-only
# ones, so the fields keep their published order (`required`, the first missing field named).
class CreateSession(SessionSpec):
    mode: Name


class TransitionSession(SessionSpec):
    """End `from_session_id` and create a new session in `to_mode` (INV-1, SES-2)."""

    from_session_id: Id
    to_mode: Name


class EndSession(Contract):
    reason: Literal["user", "skip", "timeout", "moderation", "transition", "shutdown"] = "user"


class SessionHeartbeat(Contract):
    session_id: Id


class SessionView(Contract):
    """A session as its participants see it, with its running cost estimate (INV-10)."""

    id: Id
    mode: Name
    audience_type: AudienceType
    stream_transport: StreamTransport
    intent_label: Name
    state: SessionState
    media_profile: Name | None
    participants: list[Id]
    policy: PolicySnapshot
    created_at: datetime
    parent_session_id: Id | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    ended_by: Id | None = None  # the participant who hung up or went silent
    estimated_egress_bytes: Count = 0


class TransitionResult(Contract):
    ended: SessionView
    session: SessionView
    handover: HandoverHint


class HeartbeatAck(Contract):
    session_id: Id
    expires_in_s: float


# A complete SDP (no trickle ICE): room for a dozen tiles' m-lines (~1.5 KB each), and half the
# request body cap, so an over-long SDP is a 400 naming `$.sdp`, not a bare 413.
Sdp = Annotated[str, msgspec.Meta(min_length=1, max_length=32768)]


class SessionOffer(Contract):
    """The caller's SDP offer for one of its endpoints in the session."""

    role: Literal["publish", "subscribe"]
    sdp: Sdp


class SessionAnswer(Contract):
    """The server endpoint's complete answer (ICE gathered; nothing trickles afterwards)."""

    role: Literal["publish", "subscribe"]
    sdp: str


class TurnView(Contract):
    """Time-limited TURN credentials (TURN REST API) for this session's peer connections."""

    urls: list[str]
    username: str
    credential: str
    expires_at: Count  # unix seconds
