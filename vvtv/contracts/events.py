"""The WebSocket event unions (CON-1), tagged by `type`.

`ServerEvent` is everything the server pushes; `ClientMessage` everything a client may send.
Decode with `CLIENT_DECODER`; unknown types and fields are errors, never ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from vvtv.contracts.base import Count, Event, HttpStatus
from vvtv.contracts.sessions import HandoverHint, Id, Name, SessionState, SessionView

PresenceMode = Literal["party", "sniffers", "random", "live_public", "mirror", "broadcast"]
Visibility = Literal["visible", "hidden"]
ChatScope = Literal["private_1to1", "room", "performer_room", "live_public"]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


# --- shared shapes -------------------------------------------------------------------------------


class PresenceEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    presence_id: Id
    user_id: Id
    presence_mode: PresenceMode
    is_camera_on: bool
    last_seen_at: datetime
    visibility: Visibility
    capabilities: list[str] = []


# --- server → client -----------------------------------------------------------------------------


class ErrorEvent(Event, frozen=True, kw_only=True, tag="error"):
    """The WS twin of HTTP problem JSON: the same codes and messages."""

    status: HttpStatus
    code: str
    message: str
    path: str | None = None
    ref: str | None = None  # the client message id this error answers, if any


class PresenceUpdate(Event, frozen=True, kw_only=True, tag="presence.update"):
    """A batched diff of one presence room (one per tick, not per change)."""

    room: str
    joined: list[PresenceEntry] = []
    changed: list[PresenceEntry] = []
    left: list[Id] = []


class PresenceSnapshot(Event, frozen=True, kw_only=True, tag="presence.snapshot"):
    room: str
    entries: list[PresenceEntry]


class SessionCreated(Event, frozen=True, kw_only=True, tag="session.created"):
    session: SessionView
    handover: HandoverHint | None = None


class SessionStateChanged(Event, frozen=True, kw_only=True, tag="session.state"):
    session_id: Id
    state: SessionState
    reason: str | None = None


class MatchSearching(Event, frozen=True, kw_only=True, tag="match.searching"):
    segment: str


class MatchFound(Event, frozen=True, kw_only=True, tag="match.found"):
    match_id: Id
    peer_user_id: Id
    session_id: Id


class MatchCooldown(Event, frozen=True, kw_only=True, tag="match.cooldown"):
    seconds: float
    skips_in_window: Count


class ChatMessage(Event, frozen=True, kw_only=True, tag="chat.message"):
    thread_id: Id
    message_id: Id
    author_id: Id
    body: Text
    sent_at: datetime


class ChatRateLimited(Event, frozen=True, kw_only=True, tag="chat.rate_limited"):
    thread_id: Id
    scope: ChatScope
    retry_after_s: float


class ConsentRequest(Event, frozen=True, kw_only=True, tag="consent.request"):
    invite_id: Id
    from_user_id: Id
    expires_at: datetime
    context: Literal["chat", "profile_card"] = "profile_card"


class ConsentResponse(Event, frozen=True, kw_only=True, tag="consent.response"):
    invite_id: Id
    accepted: bool
    session_id: Id | None = None


class ConsentExpired(Event, frozen=True, kw_only=True, tag="consent.expired"):
    invite_id: Id


class TileProfileChanged(Event, frozen=True, kw_only=True, tag="tile.profile"):
    """The SFU moved a tile to another rendition (THB-4: degrade by layer, not reconnection)."""

    publisher_id: Id
    profile: Name


class AuthExpired(Event, frozen=True, kw_only=True, tag="auth.expired"):
    """The socket's access token expired; send `auth.refresh` to keep the socket."""


class Authenticated(Event, frozen=True, kw_only=True, tag="auth.ok"):
    """The socket's `auth` was accepted; events for this user flow from now on."""

    user_id: Id
    access_expires_at: datetime


class AuthRefreshed(Event, frozen=True, kw_only=True, tag="auth.refreshed"):
    """New tokens, after an in-band `auth.refresh`; the socket stays open."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime


class Banned(Event, frozen=True, kw_only=True, tag="banned"):
    """Sent just before the server closes the socket of a banned user."""

    until: datetime | None = None  # None: permanent


class NowPlaying(Event, frozen=True, kw_only=True, tag="broadcast.now_playing"):
    item_id: Id
    title: str
    started_at: datetime
    emergency: bool = False


class HeartbeatAckEvent(Event, frozen=True, kw_only=True, tag="heartbeat.ack"):
    session_id: Id | None = None
    expires_in_s: float


ServerEvent = (
    ErrorEvent
    | PresenceUpdate
    | PresenceSnapshot
    | SessionCreated
    | SessionStateChanged
    | MatchSearching
    | MatchFound
    | MatchCooldown
    | ChatMessage
    | ChatRateLimited
    | ConsentRequest
    | ConsentResponse
    | ConsentExpired
    | TileProfileChanged
    | Authenticated
    | AuthExpired
    | AuthRefreshed
    | Banned
    | NowPlaying
    | HeartbeatAckEvent
)


# --- client → server -----------------------------------------------------------------------------


class Heartbeat(Event, frozen=True, kw_only=True, tag="heartbeat"):
    session_id: Id | None = None


class Authenticate(Event, frozen=True, kw_only=True, tag="auth"):
    """The first message on a socket: browsers cannot set headers on a WebSocket."""

    access_token: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
    device_id: Annotated[str, msgspec.Meta(min_length=8, max_length=128)] | None = None


class AuthRefresh(Event, frozen=True, kw_only=True, tag="auth.refresh"):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class ChatSend(Event, frozen=True, kw_only=True, tag="chat.send"):
    thread_id: Id
    body: Text
    client_id: Id | None = None


class ConsentAnswer(Event, frozen=True, kw_only=True, tag="consent.answer"):
    invite_id: Id
    accept: bool


ClientMessage = Authenticate | Heartbeat | AuthRefresh | ChatSend | ConsentAnswer


def _tags(union: object) -> tuple[str, ...]:
    return tuple(str(t.__struct_config__.tag) for t in union.__args__)  # type: ignore[attr-defined]


SERVER_EVENT_TYPES = _tags(ServerEvent)
CLIENT_MESSAGE_TYPES = _tags(ClientMessage)
CLIENT_DECODER: msgspec.json.Decoder[ClientMessage] = msgspec.json.Decoder(ClientMessage)
EVENT_ENCODER = msgspec.json.Encoder()
