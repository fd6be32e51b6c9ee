"""The session actor (kind `session`, key = session id): a thin loop over `decide` that performs
its effects through the context's ports (media provider, store, notifier, metrics) and the
heartbeat watchdog. It owns the session: transitions and signalling alike wait their turn here."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import ClassVar

from vvtv.actors import BaseActor
from vvtv.clock import WallClock
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.events import SessionStateChanged
from vvtv.domain.sessions import Alert
from vvtv.domain.sessions import AnswerOffer
from vvtv.domain.sessions import ArmHeartbeat
from vvtv.domain.sessions import CountEgress
from vvtv.domain.sessions import Create
from vvtv.domain.sessions import CreateEndpoints
from vvtv.domain.sessions import DisarmHeartbeat
from vvtv.domain.sessions import Effect
from vvtv.domain.sessions import EmitState
from vvtv.domain.sessions import EndpointsFailed
from vvtv.domain.sessions import EndpointsReady
from vvtv.domain.sessions import IssueTurn
from vvtv.domain.sessions import Message
from vvtv.domain.sessions import Persist
from vvtv.domain.sessions import Refuse
from vvtv.domain.sessions import RevocationFailed
from vvtv.domain.sessions import Revoked
from vvtv.domain.sessions import RevokeEndpoints
from vvtv.domain.sessions import Session
from vvtv.domain.sessions import decide
from vvtv.domain.sessions import may_act
from vvtv.domain.values import frozen
from vvtv.errors import NotFound
from vvtv.errors import VvtvError
from vvtv.media.port import MediaProvider
from vvtv.media.port import Participant
from vvtv.media.port import SdpAnswer
from vvtv.media.port import SdpOffer
from vvtv.media.port import TurnCredentials
from vvtv.observability.audit import AuditRecord
from vvtv.observability.events import ServerEvents
from vvtv.sessions.errors import SessionNotFound
from vvtv.sessions.errors import SessionStateConflict
from vvtv.sessions.heartbeats import HeartbeatWatchdog
from vvtv.sessions.metrics import SessionMetrics
from vvtv.sessions.store import SessionStore

log = logging.getLogger(__name__)

KIND = "session"
# Why a session ended, in telemetry's words (session_ended.reason, telemetry-events.yaml).
_END_REASONS = {"timeout": "heartbeat_timeout"}
BYTES_PER_GB = 1_000_000_000


def telemetry_reason(state: str, reason: str | None) -> str:
    """The end reason as session_ended declares it: its code only (`endpoints_failed: <why>`
    carries the provider's words, which stay in the log)."""
    if state == "failed":
        return "failed"
    code = (reason or "user").split(":", 1)[0]
    return _END_REASONS.get(code, code)


Notify = Callable[[str, ServerEvent], None]
"""Push an event to every socket of a user (`SocketHub.push`)."""

PolicyVersion = Callable[[], int]
"""The OwnerCard's current version (POL-2), read when a session is created."""

Signalled = SdpAnswer | TurnCredentials
"""The media provider's reply to a signalling message: the asker gets it instead of the session."""


@frozen
class Caller:
    user_id: str
    is_admin: bool


@frozen
class Act:
    """A message for a session actor; `caller` None is the system (timers, recovery, creation)."""

    message: Message
    caller: Caller | None = None


@frozen
class SessionPorts:
    """What the sessions context reaches outside itself: the one bundle that builds the
    orchestrator, which hands it to every session actor."""

    provider: MediaProvider
    store: SessionStore
    clock: WallClock
    metrics: SessionMetrics
    notify: Notify
    policy_version: PolicyVersion
    events: ServerEvents | None = None  # session_created / session_ended, every mode (TEL-1)


class SessionActor(BaseActor):
    """Replies with the session after the message and every effect it led to, or with the
    provider's reply to a signalling message; refusals raise."""

    kind: ClassVar[str] = KIND

    def __init__(self, session_id: str, ports: SessionPorts, heartbeats: HeartbeatWatchdog) -> None:
        self._id = session_id
        self._ports = ports
        self._heartbeats = heartbeats
        self._session: Session | None = None
        self._loaded = False

    async def on_start(self) -> None:
        return None  # the first message reads the store (`_load`), unless it creates the session

    async def _load(self, message: Message) -> None:
        self._loaded = True
        # A Create comes for an id the orchestrator has just drawn (uuid4), so nothing can be
        # stored under it: a new session costs no read. Any other first message finds an actor
        # spawned again after passivation or a crash, and the store holds the truth.
        if not isinstance(message, Create):
            self._session = await self._ports.store.get(self._id)

    async def handle(self, act: Act) -> Session | Signalled:
        if not self._loaded:
            await self._load(act.message)
        if act.caller is not None and (
            self._session is None
            or not may_act(self._session, act.caller.user_id, act.caller.is_admin)
        ):
            raise SessionNotFound("No such session.")
        # A provider error while creating is kept for the asker, but only raised once the
        # session has been cleaned up (ending → ended) so nothing is left half-made.
        failure: VvtvError | None = None
        signalled: Signalled | None = None
        pending: deque[Message] = deque([act.message])
        while pending:
            self._session, effects = decide(self._session, pending.popleft())
            for effect in effects:
                if isinstance(effect, AnswerOffer | IssueTurn):
                    signalled = await self._signal(effect)
                    continue
                follow_up, error = await self._perform(effect)
                failure = failure or error
                if follow_up is not None:
                    pending.append(follow_up)
        if self._session is None:
            raise SessionNotFound("No such session.")
        if failure is not None:
            raise failure
        return self._session if signalled is None else signalled

    async def _signal(self, effect: AnswerOffer | IssueTurn) -> Signalled:
        provider = self._ports.provider
        if isinstance(effect, IssueTurn):
            return await provider.create_turn_credentials(effect.session_id)
        return await provider.answer(
            SdpOffer(
                session_id=effect.session_id,
                participant_id=effect.participant_id,
                role=effect.offer.role,
                sdp=effect.offer.sdp,
            )
        )

    async def _perform(self, effect: Effect) -> tuple[Message | None, VvtvError | None]:
        ports = self._ports
        match effect:
            case Refuse(code, message):
                if code == "not_found":
                    raise SessionNotFound(message)
                raise SessionStateConflict(message)
            case Persist(session):
                await ports.store.save(session)
            case CreateEndpoints(session_id, profile, participants, webrtc):
                if not webrtc or profile is None:
                    return EndpointsReady(ports.clock()), None
                try:
                    await ports.provider.create_webrtc_endpoints(
                        session_id,
                        profile,
                        _call(participants),
                    )
                except VvtvError as error:
                    return EndpointsFailed(ports.clock(), error.message), error
                return EndpointsReady(ports.clock()), None
            case RevokeEndpoints(session_id, webrtc):
                if not webrtc:
                    return Revoked(ports.clock()), None
                try:
                    await ports.provider.revoke_endpoints(session_id)
                except NotFound:
                    pass  # the provider holds nothing for it (e.g. a process ago): nothing to undo
                except VvtvError as error:
                    return RevocationFailed(ports.clock(), error.message), None
                return Revoked(ports.clock()), None
            case EmitState(participants, session_id, state, reason, ended_by):
                event = SessionStateChanged(
                    session_id=session_id, state=state, reason=reason, ended_by=ended_by
                )
                for user_id in participants:
                    ports.notify(user_id, event)
                self._tell(state, reason)
            case ArmHeartbeat(session_id, participants):
                for participant_id in participants:
                    self._heartbeats.arm(session_id, participant_id)
            case DisarmHeartbeat(session_id):
                self._heartbeats.disarm(session_id)
            case CountEgress(mode, egress_bytes):
                ports.metrics.estimated_egress.labels(mode).inc(egress_bytes)
            case Alert(session_id, reason):
                await self._alert(session_id, reason)
        return None, None

    def _tell(self, state: str, reason: str | None) -> None:
        """The server's telemetry: a session became active (created for its people), or ended."""
        session, events = self._session, self._ports.events
        if events is None or session is None:
            return
        if state == "active":
            events.emit(
                "session_created", session_id=session.id, mode=session.mode,
                media_profile=session.media_profile or "",
                parent_session_id=session.parent_session_id or "",
            )  # fmt: skip
        elif state in ("ended", "failed"):
            lasted = (session.ended_at or session.created_at) - (
                session.started_at or session.created_at
            )
            events.emit(
                "session_ended", session_id=session.id, mode=session.mode,
                reason=telemetry_reason(state, reason),
                duration_s=lasted.total_seconds(),
                estimated_gb=session.estimated_egress_bytes / BYTES_PER_GB,
            )  # fmt: skip

    async def _alert(self, session_id: str, reason: str) -> None:
        session = self._session
        assert session is not None  # an alert is about the session just decided on
        self._ports.metrics.revoke_failures.labels(session.mode).inc()
        log.error(
            "session %s failed: its media endpoints could not be revoked: %s",
            session_id,
            reason,
            extra={"session_id": session_id, "mode": session.mode},
        )
        audit = AuditRecord(
            at=self._ports.clock(),
            actor_id=None,
            action="session.revoke_failed",
            target_id=session_id,
            reason=reason,
            detail={"mode": session.mode, "media_profile": session.media_profile},
        )
        # Saved again with the audit entry, in one transaction: the failure and its record agree.
        await self._ports.store.save(session, audit)


def _call(participants: tuple[str, ...]) -> tuple[Participant, ...]:
    """Everyone publishes once and receives everyone else, through the SFU only: no participant
    ever gets another's address (a call is relayed, never peer to peer)."""
    return tuple(
        Participant(
            participant_id=p,
            publishes=True,
            subscribes_to=tuple(other for other in participants if other != p),
        )
        for p in participants
    )
