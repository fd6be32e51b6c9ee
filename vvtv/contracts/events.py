"""The WebSocket event unions (CON-1), tagged by `type`.

`ServerEvent` is everything the server pushes; `ClientMessage` everything a client may send.
Decode with `CLIENT_DECODER`; unknown types and fields are errors, never ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from vvtv.contracts.base import Count
from vvtv.contracts.base import Event
from vvtv.contracts.base import HttpStatus
from vvtv.contracts.base import Serial
from vvtv.contracts.chat import Body
from vvtv.contracts.chat import ChatScope
from vvtv.contracts.chat import ClientId
from vvtv.contracts.consent import CancelReason
from vvtv.contracts.consent import ConsentInvite
from vvtv.contracts.cost import CostPoint
from vvtv.contracts.cost import CostReport
from vvtv.contracts.cost import KillSwitchStatus
from vvtv.contracts.identity import AuditEntry
from vvtv.contracts.lab import LabStatus
from vvtv.contracts.matching import MatchEndReason
from vvtv.contracts.matching import MatchPeer
from vvtv.contracts.matching import MatchRefusalCode
from vvtv.contracts.operator import LiveStatus
from vvtv.contracts.presence import Language
from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresencePage
from vvtv.contracts.presence import PresenceQuery
from vvtv.contracts.presence import PresenceSet
from vvtv.contracts.sessions import HandoverHint
from vvtv.contracts.sessions import Id
from vvtv.contracts.sessions import Name
from vvtv.contracts.sessions import SessionState
from vvtv.contracts.sessions import SessionView
from vvtv.contracts.shield import ShieldBanner
from vvtv.contracts.shield import ShieldStatus
from vvtv.contracts.telemetry import FunnelReport
from vvtv.contracts.telemetry import IncidentStatus
from vvtv.contracts.tiles import TileBlurred
from vvtv.contracts.tiles import TileClose
from vvtv.contracts.tiles import TileGranted
from vvtv.contracts.tiles import TileHidden
from vvtv.contracts.tiles import TileOpen
from vvtv.contracts.tiles import TileOpened
from vvtv.contracts.tiles import TileProfileChanged
from vvtv.contracts.tiles import TileRefused
from vvtv.contracts.tiles import TileReleased
from vvtv.contracts.tiles import TileVisible

# --- server → client -----------------------------------------------------------------------------


class ErrorEvent(Event, kw_only=True, tag="error"):
    """The WS twin of HTTP problem JSON: the same codes and messages."""

    status: HttpStatus
    code: str
    message: str
    path: str | None = None
    ref: str | None = None  # the client message id this error answers, if any


class PresenceUpdate(Event, kw_only=True, tag="presence.update"):
    """What changed in a room you watch since the last update: at most one per tick (PRS-4).

    Up to `presence.large_room_threshold` members: who joined, changed or left your view. Above it,
    `page` instead: the page your query looks at, whole, and the total (not every join and leave).
    """

    room: Name
    total: Count  # everyone your query matches now
    joined: list[PresenceMember] = []
    changed: list[PresenceMember] = []
    left: list[Id] = []  # presence ids
    page: PresencePage | None = None


class PresenceSnapshot(Event, kw_only=True, tag="presence.snapshot"):
    """Your view of a room when you subscribe, or when the room changes size mode: everyone the
    query matches (`paged` false) or, in a large room, the page it asks for (`paged` true)."""

    room: Name
    page: PresencePage
    paged: bool = False


class SessionCreated(Event, kw_only=True, tag="session.created"):
    session: SessionView
    handover: HandoverHint | None = None


class SessionStateChanged(Event, kw_only=True, tag="session.state"):
    """To every participant. Once it ends: `reason` (`user` hung up, `timeout` went silent, …)
    and `ended_by`, the participant who hung up or went silent (None: the system ended it)."""

    session_id: Id
    state: SessionState
    reason: str | None = None
    ended_by: Id | None = None


class MatchSearching(Event, kw_only=True, tag="match.searching"):
    """To every tab of yours: you are in the queue (MAT-4), since `since`."""

    since: datetime
    language: Language | None = None


class MatchFound(Event, kw_only=True, tag="match.found"):
    """To both: your call exists (MAT-2); offer to `session_id` and meet `peer`."""

    match_id: Id
    session_id: Id
    peer: MatchPeer
    skip_allowed_at: datetime  # a skip before this is refused `too_early` (ABU-2)


class MatchCooldown(Event, kw_only=True, tag="match.cooldown"):
    """You search again at `until` by yourself (ABU-1; or after a call that could not start)."""

    until: datetime
    seconds: float
    skips_in_window: Count


class MatchRefused(Event, kw_only=True, tag="match.refused"):
    """A search that could not resume by itself (e.g. the hourly cap after a call): you are idle,
    and may join again after `retry_after_s` (ABU-7). A request's refusal is its HTTP error."""

    code: MatchRefusalCode
    message: str
    retry_after_s: float | None = None


class MatchEnded(Event, kw_only=True, tag="match.ended"):
    """Your match (or search) ended, and why; `match.searching` or `match.cooldown` follows
    unless you left."""

    reason: MatchEndReason
    match_id: Id | None = None
    session_id: Id | None = None


class ChatMessage(Event, kw_only=True, tag="chat.message"):
    """A message of a thread you are in (CHT-2): a private thread's reach every socket of the
    pair; a room's, the sockets that subscribed to it (or sent to it). Never twice on one socket.
    `seq` is 1, 2, 3 … per thread, so a gap means missed messages (or, in rooms, ones hidden from
    you): subscribe with `after_seq` to get them."""

    thread_id: Id
    seq: Serial
    message_id: Id
    author_id: Id
    body: Body
    sent_at: datetime
    client_id: ClientId | None = None  # the sender's id for it, echoed to the sender's sockets
    author_handle: str | None = None  # as of sending; None once the account is gone


class ChatRateLimited(Event, kw_only=True, tag="chat.rate_limited"):
    """Your message was not sent: the scope's rate limit (CHT-4); send again after the wait."""

    thread_id: Id
    scope: ChatScope
    retry_after_s: float
    client_id: ClientId | None = None


class ChatNotPosted(Event, kw_only=True, tag="chat.not_posted"):
    """To every tab of its author: a message auto-moderation held was rejected by a moderator
    and will never be posted (as Twitch's AutoMod tells its author). `client_id` is the one the
    message was sent with, so the composer can say which."""

    thread_id: Id
    held_id: Serial
    client_id: ClientId | None = None


class ConsentRequest(Event, kw_only=True, tag="consent.request"):
    """To every tab of the invitee (CNS-1): show the ConsentOverlay until `expires_at`."""

    invite: ConsentInvite
    inviter_handle: str | None  # the invite's own; None once the account is gone
    expires_at: datetime


class InviteEvent(Event, kw_only=True):
    """An event about one invite, which it names (its tag is each subclass's)."""

    invite_id: Id


class ConsentAccepted(InviteEvent, kw_only=True, tag="consent.accepted"):
    """To both ends (the invitee's other tabs: answered elsewhere): the call exists (CNS-2)."""

    session_id: Id


class ConsentDeclined(InviteEvent, tag="consent.declined"):
    """To both ends: declined, nothing else changes (CNS-3)."""


class ConsentExpired(InviteEvent, tag="consent.expired"):
    """To both ends: unanswered in time, no call (CNS-4)."""


class ConsentCancelled(InviteEvent, kw_only=True, tag="consent.cancelled"):
    """To the inviter, and the invitee if they were asked: the invite is withdrawn."""

    reason: CancelReason


class AuthExpired(Event, kw_only=True, tag="auth.expired"):
    """The socket's access token expired; send `auth.refresh` to keep the socket."""


class Authenticated(Event, kw_only=True, tag="auth.ok"):
    """The socket's `auth` was accepted; events for this user flow from now on."""

    user_id: Id
    access_expires_at: datetime


class AuthRefreshed(Event, kw_only=True, tag="auth.refreshed"):
    """New tokens, after an in-band `auth.refresh`; the socket stays open."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime


class Banned(Event, kw_only=True, tag="banned"):
    """Sent just before the server closes the socket of a banned user."""

    until: datetime | None = None  # None: permanent


class NowPlaying(Event, kw_only=True, tag="broadcast.now_playing"):
    item_id: Id
    title: str
    started_at: datetime
    emergency: bool = False


class HeartbeatAckEvent(Event, kw_only=True, tag="heartbeat.ack"):
    session_id: Id | None = None
    expires_in_s: float


class TelemetrySampling(Event, kw_only=True, tag="telemetry.sampling"):
    """To every signed-in tab: the share of calls sampling their QoS changed (TEL-2, the incident
    flag); a call that drew under `rate` starts sending `qos_sample`."""

    rate: Annotated[float, msgspec.Meta(ge=0, le=1)]
    incident: bool


class ServiceNotice(Event, kw_only=True, tag="service.notice"):
    """To every signed-in tab, calmly: the product stepped down to keep its cost (INV-7), or back
    up. `step` is the last step taken (e.g. `stills`), None once everything is back."""

    level: Count
    step: str | None = None
    shield: ShieldBanner | None = None  # Shield Mode is on (issue 16): a calm line says so


class ModerationWarning(Event, kw_only=True, tag="moderation.warning"):
    """To every tab of a warned user (MOD-5): a moderator's warning and why. A tab that opens
    later asks `GET /moderation/warnings` until the user says they have seen it."""

    id: Serial
    reason: str
    at: datetime


class OperatorUpdate(Event, kw_only=True, tag="operator.update"):
    """To an admin's socket that follows the operator's console (`operator.follow`), pushed as
    things change (each cost sample, each move of the kill-switch ladder) instead of polled:
    the figures as of now, the cost samples and audit entries that are new since the last
    update (newest audit first; the latest page and sample in the first update after a follow).
    The channel's pipeline and queue slack, incident mode and Shield Mode come with each, so a
    switch another admin made shows at the next update."""

    live: LiveStatus
    cost: CostReport
    ladder: KillSwitchStatus
    funnel: FunnelReport
    lab: LabStatus
    incident: IncidentStatus
    shield: ShieldStatus
    samples: list[CostPoint]
    audit: list[AuditEntry]


ServerEvent = (
    ErrorEvent
    | PresenceUpdate
    | PresenceSnapshot
    | SessionCreated
    | SessionStateChanged
    | MatchSearching
    | MatchFound
    | MatchCooldown
    | MatchRefused
    | MatchEnded
    | ChatMessage
    | ChatRateLimited
    | ChatNotPosted
    | ConsentRequest
    | ConsentAccepted
    | ConsentDeclined
    | ConsentExpired
    | ConsentCancelled
    | TileProfileChanged
    | TileOpened
    | TileGranted
    | TileRefused
    | TileReleased
    | TileBlurred
    | Authenticated
    | AuthExpired
    | AuthRefreshed
    | Banned
    | NowPlaying
    | HeartbeatAckEvent
    | ServiceNotice
    | TelemetrySampling
    | ModerationWarning
    | OperatorUpdate
)


# --- client → server -----------------------------------------------------------------------------


class Heartbeat(Event, kw_only=True, tag="heartbeat"):
    session_id: Id | None = None


class Authenticate(Event, kw_only=True, tag="auth"):
    """The first message on a socket: browsers cannot set headers on a WebSocket."""

    access_token: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
    device_id: Annotated[str, msgspec.Meta(min_length=8, max_length=128)] | None = None


class AuthRefresh(Event, kw_only=True, tag="auth.refresh"):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class ChatSend(Event, kw_only=True, tag="chat.send"):
    """Send to a thread you are in; it comes back as `chat.message` (with `client_id`) or
    `chat.rate_limited`, a refusal as `error` with `ref` = `client_id`."""

    thread_id: Id
    body: Body
    client_id: ClientId | None = None


class ChatSubscribe(Event, kw_only=True, tag="chat.subscribe"):
    """Follow a thread on this socket: first what it was never sent after `after_seq` (resume
    without gaps or duplicates), then each new message once. A room's messages reach only the
    sockets that subscribed to it; a private thread's reach every socket of yours anyway."""

    thread_id: Id
    after_seq: Count = 0


class ConsentAnswer(InviteEvent, kw_only=True, tag="consent.answer"):
    accept: bool


class PresenceSubscribe(Event, kw_only=True, tag="presence.subscribe"):
    """Watch an ecosystem through a query: a `presence.snapshot`, then `presence.update`s.
    Subscribing again to the same ecosystem replaces the query (e.g. the next page)."""

    query: PresenceQuery


class PresenceUnsubscribe(Event, kw_only=True, tag="presence.unsubscribe"):
    ecosystem: Name


class PresenceSetFields(Event, kw_only=True, tag="presence.set"):
    """Set your own presence fields (PRS-2); the first set joins the mode's ecosystem."""

    fields: PresenceSet


class PresenceHeartbeat(Event, kw_only=True, tag="presence.heartbeat"):
    """Keeps this socket's presence and subscriptions alive (PRS-1, PRS-5)."""


class PresenceLeave(Event, kw_only=True, tag="presence.leave"):
    """Leave an ecosystem now (not after the TTL): e.g. on moving to another mode."""

    ecosystem: Name


class OperatorFollow(Event, kw_only=True, tag="operator.follow"):
    """An admin's console follows the operator's figures on this socket: `operator.update` now,
    then on every change, until `operator.unfollow` or the socket closes. Anyone else: `error`
    403 `forbidden`."""


class OperatorUnfollow(Event, kw_only=True, tag="operator.unfollow"):
    """The console on this socket closed: no more `operator.update`."""


ClientMessage = (
    Authenticate
    | Heartbeat
    | AuthRefresh
    | ChatSend
    | ChatSubscribe
    | ConsentAnswer
    | PresenceSubscribe
    | PresenceUnsubscribe
    | PresenceSetFields
    | PresenceHeartbeat
    | PresenceLeave
    | TileOpen
    | TileVisible
    | TileHidden
    | TileClose
    | OperatorFollow
    | OperatorUnfollow
)


def _tags(union: object) -> tuple[str, ...]:
    return tuple(str(t.__struct_config__.tag) for t in union.__args__)  # type: ignore[attr-defined]


SERVER_EVENT_TYPES = _tags(ServerEvent)
CLIENT_MESSAGE_TYPES = _tags(ClientMessage)
CLIENT_DECODER: msgspec.json.Decoder[ClientMessage] = msgspec.json.Decoder(ClientMessage)
EVENT_ENCODER = msgspec.json.Encoder()
