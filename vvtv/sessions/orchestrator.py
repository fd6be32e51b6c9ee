"""The session orchestrator: validates requests against the config, then creates, transitions and
ends sessions by messaging their actors (SES-1..12). It sees media only through `MediaProvider`.

A mode whose manifest requires consent or a match is never started from a request (INV-2): the
routes' `create` and `transition` refuse it, and only `create_agreed` / `transition_agreed`, given
the `Agreement` the consent or matching service reached, start one.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import msgspec

from vvtv.actors import MailboxFull
from vvtv.actors import Registry
from vvtv.actors import ShuttingDown
from vvtv.actors import open_running
from vvtv.config import ConfigBundle
from vvtv.contracts.events import Heartbeat
from vvtv.contracts.events import HeartbeatAckEvent
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.sessions import AudienceType
from vvtv.contracts.sessions import CreateSession
from vvtv.contracts.sessions import EndSession
from vvtv.contracts.sessions import HeartbeatAck
from vvtv.contracts.sessions import PolicySnapshot
from vvtv.contracts.sessions import SessionAnswer
from vvtv.contracts.sessions import SessionOffer
from vvtv.contracts.sessions import SessionSpec
from vvtv.contracts.sessions import SessionView
from vvtv.contracts.sessions import StreamTransport
from vvtv.contracts.sessions import TransitionResult
from vvtv.contracts.sessions import TransitionSession
from vvtv.contracts.sessions import TurnView
from vvtv.domain.accounts import Principal
from vvtv.domain.agreements import Agreement
from vvtv.domain.agreements import Gate
from vvtv.domain.agreements import closed_gate
from vvtv.domain.agreements import gate_of
from vvtv.domain.sessions import Abandoned
from vvtv.domain.sessions import Create
from vvtv.domain.sessions import End
from vvtv.domain.sessions import Heartbeat as HeartbeatMessage
from vvtv.domain.sessions import HeartbeatTimeout
from vvtv.domain.sessions import Offer
from vvtv.domain.sessions import RequestTurn
from vvtv.domain.sessions import Session
from vvtv.domain.sessions import may_act
from vvtv.domain.sessions import media_plan
from vvtv.domain.sessions import running_egress_bytes
from vvtv.domain.values import frozen
from vvtv.media.errors import UnknownProfile
from vvtv.media.port import SdpAnswer
from vvtv.media.port import TurnCredentials
from vvtv.sessions.actor import KIND
from vvtv.sessions.actor import Act
from vvtv.sessions.actor import Caller
from vvtv.sessions.actor import SessionActor
from vvtv.sessions.actor import SessionPorts
from vvtv.sessions.errors import ConsentRequired
from vvtv.sessions.errors import MatchRequired
from vvtv.sessions.errors import SessionNotFound
from vvtv.sessions.errors import TransitionFailed
from vvtv.sessions.errors import TransitionNotAllowed
from vvtv.sessions.errors import TransportMismatch
from vvtv.sessions.errors import UnknownMode
from vvtv.sessions.heartbeats import HeartbeatWatchdog
from vvtv.sessions.holdings import KIND as HOLDINGS
from vvtv.sessions.holdings import HoldingsActor
from vvtv.sessions.holdings import HoldingsCommons
from vvtv.sessions.holdings import Release
from vvtv.sessions.holdings import Reserve

log = logging.getLogger(__name__)


@frozen
class _Plan:
    """A validated request for a new session: everything checked before anything exists."""

    mode: str
    ecosystem: str
    gate: Gate | None  # INV-2: what must open before a session of this mode may exist
    audience_type: AudienceType
    stream_transport: StreamTransport
    intent_label: str
    profile: str | None
    webrtc: bool
    bitrate_kbps: int
    direction_factor: float


class Orchestrator:
    """Built once, from the context's ports; `open_orchestrator` also runs its watchdog."""

    def __init__(self, registry: Registry, config: ConfigBundle, ports: SessionPorts) -> None:
        self._registry = registry
        self._ports = ports
        self._config = config
        self._limits = config.limits.sessions
        # The provider gives up on an offer after its own bound (ICE gathering); the ask waits that
        # long beyond the usual, so the caller hears the provider's verdict, not a bare timeout.
        self._signalling_timeout_s = (
            config.limits.media.sfu.signalling_timeout_s
            + config.limits.runtime.actors.ask_timeout_s
        )
        self.heartbeats = HeartbeatWatchdog(self._limits.heartbeat_timeout_s, self._expire)
        # Which (session, participant) each socket keeps alive by heartbeating it, and back: the
        # last of a participant's sockets closing brings their deadline forward (OPS-5).
        self._kept_by_socket: dict[str, set[tuple[str, str]]] = {}
        self._sockets_keeping: dict[tuple[str, str], set[str]] = {}
        registry.register(KIND, lambda key: SessionActor(key, ports, self.heartbeats))
        # The sessions each user starts are admitted by their own holdings actor (OPS-5); the
        # modes counted are those no consent or match gates (INV-2's calls are not).
        holdings = HoldingsCommons(
            store=ports.store,
            limit=self._limits.max_concurrent_per_user,
            counted_modes=frozenset(
                name
                for name, mode in config.modes.modes.items()
                if gate_of(mode.policies.requires_consent, mode.policies.requires_match) is None
            ),
            lapse_s=config.limits.runtime.actors.ask_timeout_s,
        )
        registry.register(HOLDINGS, lambda key: HoldingsActor(key, holdings))
        self._admission: Callable[[str], None] | None = None

    def admit_with(self, check: Callable[[str], None]) -> None:
        """Let `check(mode)` refuse a new session by raising (the kill-switch ladder, INV-7)."""
        self._admission = check

    # -- lifecycle ---------------------------------------------------------------------------------

    async def run(self) -> None:
        """Watch heartbeat deadlines until cancelled."""
        await self.heartbeats.run()

    async def reconcile(self) -> int:
        """At start-up: end every session a dead process left unfinished, revoking its endpoints
        (a `failed` revoke is alerted like any other). Returns how many were found."""
        abandoned = await self._ports.store.unfinished()
        for session in abandoned:
            log.warning(
                "ending session %s left %s by a previous process", session.id, session.state
            )
            await self._registry.ask(KIND, session.id, Act(Abandoned(self._ports.clock())))
        return len(abandoned)

    # -- the API -----------------------------------------------------------------------------------

    async def create(self, principal: Principal, body: CreateSession) -> SessionView:
        """SES-1: a new session in `body.mode`; config errors are raised before anything exists.
        A mode that requires consent or a match is refused (INV-2, CNS-6)."""
        return await self._create(body, (principal.user_id,), agreement=None)

    async def transition(self, principal: Principal, body: TransitionSession) -> TransitionResult:
        """SES-2: end `from_session_id` and, only if it ended, create its successor (SES-5/7).
        Into a mode that requires consent or a match, refused before anything ends (INV-2)."""
        return await self._transition(principal, body, agreement=None)

    # -- for the consent and matching services only (INV-2) ---------------------------------------

    async def create_agreed(self, agreement: Agreement, body: CreateSession) -> SessionView:
        """A call the consent (CNS-2) or matching (MAT-2) service agreed, with the agreement's
        participants; `body.mode`'s gate must be the one the agreement opens."""
        return await self._create(body, agreement.participants, agreement)

    async def transition_agreed(
        self, principal: Principal, agreement: Agreement, body: TransitionSession
    ) -> TransitionResult:
        """`principal`'s session hands over to an agreed call (party → random holds a
        placeholder, UI-2); `principal` must be one of the agreement's participants."""
        # An agreement that does not bind the caller opens nothing for them.
        bound = agreement if principal.user_id in agreement.participants else None
        return await self._transition(principal, body, bound)

    # -- create and transition, with or without an agreement --------------------------------------

    async def _create(
        self, body: CreateSession, participants: tuple[str, ...], agreement: Agreement | None
    ) -> SessionView:
        plan = self._plan(body.mode, body)
        _admit(plan, agreement, path="mode")
        if self._admission is not None:
            self._admission(plan.mode)
        return self._view(await self._start(plan, participants, parent=None, agreement=agreement))

    async def _transition(
        self, principal: Principal, body: TransitionSession, agreement: Agreement | None
    ) -> TransitionResult:
        caller = _caller(principal)
        previous = await self._visible(caller, body.from_session_id)
        handover = self._config.modes.modes[previous.mode].transitions.get(body.to_mode)
        if handover is None:
            raise TransitionNotAllowed(
                f"The {previous.mode} mode offers no transition to {body.to_mode}.",
                path="to_mode",
            )
        plan = self._plan(body.to_mode, body)
        _admit(plan, agreement, path="to_mode")
        if self._admission is not None:
            self._admission(plan.mode)
        # Two transitions of one session are two messages in its mailbox: the second finds it
        # no longer active and is refused (SES-9).
        ended: Session = await self._registry.ask(
            KIND,
            previous.id,
            Act(End(self._ports.clock(), "transition", caller.user_id), caller),
            timeout_s=self._limits.transition_timeout_s,
        )
        if ended.state != "ended":
            raise TransitionFailed(
                f"Session {previous.id} could not be ended ({ended.state}); nothing was created."
            )
        participants = agreement.participants if agreement else (principal.user_id,)
        created = await self._start(plan, participants, parent=previous.id, agreement=agreement)
        return TransitionResult(
            ended=self._view(ended), session=self._view(created), handover=handover
        )

    async def end(self, principal: Principal, session_id: str, body: EndSession) -> SessionView:
        """SES-3: end with cleanup (endpoints revoked); a failed revoke leaves it `failed`."""
        act = Act(End(self._ports.clock(), body.reason, principal.user_id), _caller(principal))
        return self._view(await self._registry.ask(KIND, session_id, act))

    async def get(self, principal: Principal, session_id: str) -> SessionView:
        """The committed state with its running cost estimate (INV-10); read from the store, so
        looking never spawns an actor."""
        return self._view(await self._visible(_caller(principal), session_id))

    async def mode_of(self, session_id: str) -> str | None:
        """The mode a session runs in (None: no such session), for the system's own reports on
        it (a frame check's report names its mode, MOD-1); read from the store."""
        session = await self._ports.store.get(session_id)
        return None if session is None else session.mode

    async def takes_part(self, user_id: str, session_id: str) -> bool:
        """Whether `user_id` takes or took part in the session, ended or not (moderation's check
        of a report's session, MOD-1)."""
        session = await self._ports.store.get(session_id)
        return session is not None and user_id in session.participants

    async def heartbeat(self, principal: Principal, session_id: str) -> HeartbeatAck:
        """Push the caller's heartbeat deadline in the session back by
        `sessions.heartbeat_timeout_s`; any participant silent that long ends it for all."""
        act = Act(HeartbeatMessage(principal.user_id), _caller(principal))
        await self._registry.ask(KIND, session_id, act)
        return HeartbeatAck(session_id=session_id, expires_in_s=self.heartbeats.timeout_s)

    async def on_socket_heartbeat(
        self, principal: Principal, connection: str, message: Heartbeat
    ) -> ServerEvent:
        """The WebSocket `heartbeat` message from socket `connection`: that socket now keeps
        the caller in the session, until it closes (`socket_closed`)."""
        if message.session_id is not None:
            await self.heartbeat(principal, message.session_id)
            self._keep(connection, message.session_id, principal.user_id)
        return HeartbeatAckEvent(
            session_id=message.session_id, expires_in_s=self.heartbeats.timeout_s
        )

    def socket_closed(self, connection: str) -> None:
        """A socket closed (`SocketHub.on_close`). Whoever it kept in a session, and no other
        socket of theirs keeps there, has `sessions.socket_grace_s` left instead of the
        heartbeat timeout: a closed tab ends the call soon, and one that reconnects and
        heartbeats within the grace keeps it (OPS-5)."""
        for kept in self._kept_by_socket.pop(connection, ()):
            sockets = self._sockets_keeping.get(kept, set())
            sockets.discard(connection)
            if not sockets:
                self._sockets_keeping.pop(kept, None)
                self.heartbeats.hasten(*kept, self._limits.socket_grace_s)

    def _keep(self, connection: str, session_id: str, user_id: str) -> None:
        kept = self._kept_by_socket.setdefault(connection, set())
        # What a long-lived socket kept in sessions that have ended since is forgotten here, so
        # it holds no more than its live sessions (a Random evening is many short calls).
        for gone in [k for k in kept if not self.heartbeats.watches(k[0])]:
            kept.discard(gone)
            sockets = self._sockets_keeping.get(gone, set())
            sockets.discard(connection)
            if not sockets:
                self._sockets_keeping.pop(gone, None)
        kept.add((session_id, user_id))
        self._sockets_keeping.setdefault((session_id, user_id), set()).add(connection)

    async def answer(
        self, principal: Principal, session_id: str, offer: SessionOffer
    ) -> SessionAnswer:
        """Signalling: the caller's offer for its own endpoint, answered by the media provider
        (which enforces the session's profile, never the client), in turn with the session's
        transitions."""
        act = Act(Offer(principal.user_id, offer), _caller(principal))
        answer: SdpAnswer = await self._registry.ask(
            KIND, session_id, act, timeout_s=self._signalling_timeout_s
        )
        return SessionAnswer(role=answer.role, sdp=answer.sdp)

    async def turn(self, principal: Principal, session_id: str) -> TurnView:
        act = Act(RequestTurn(), _caller(principal))
        credentials: TurnCredentials = await self._registry.ask(KIND, session_id, act)
        return TurnView(
            urls=list(credentials.urls),
            username=credentials.username,
            credential=credentials.credential,
            expires_at=credentials.expires_at,
        )

    # -- internals ---------------------------------------------------------------------------------

    def _plan(self, mode_name: str, spec: SessionSpec) -> _Plan:
        mode = self._config.modes.modes.get(mode_name)
        if mode is None:
            raise UnknownMode(f"There is no {mode_name!r} mode.", path="mode")
        stream_transport = spec.stream_transport
        profile_name = spec.media_profile or mode.media_profile
        webrtc = False
        bitrate_kbps = 0
        if profile_name is not None:
            profile = self._config.media.profiles.get(profile_name)
            if profile is None:  # SES-11: refused here, before any endpoint or record exists
                raise UnknownProfile(
                    f"unknown media profile {profile_name!r}", path="media_profile"
                )
            plan = media_plan(profile.transport, stream_transport)
            if plan == "mismatch":
                raise TransportMismatch(
                    f"Media profile {profile_name!r} is delivered over {profile.transport},"
                    f" not {stream_transport}.",
                    path="stream_transport",
                )
            webrtc = plan == "endpoints"
            bitrate_kbps = profile.max_total_kbps
        return _Plan(
            mode=mode_name,
            ecosystem=mode.ecosystem,
            gate=gate_of(mode.policies.requires_consent, mode.policies.requires_match),
            audience_type=spec.audience_type,
            stream_transport=stream_transport,
            intent_label=spec.intent_label,
            profile=profile_name,
            webrtc=webrtc,
            bitrate_kbps=bitrate_kbps,
            direction_factor=self._config.limits.cost.direction_factor.of(mode.ecosystem),
        )

    async def _start(
        self,
        plan: _Plan,
        participants: tuple[str, ...],
        parent: str | None,
        agreement: Agreement | None,
    ) -> Session:
        session = Session(
            id=uuid.uuid4().hex,
            mode=plan.mode,
            ecosystem=plan.ecosystem,
            audience_type=plan.audience_type,
            stream_transport=plan.stream_transport,
            intent_label=plan.intent_label,
            media_profile=plan.profile,
            webrtc=plan.webrtc,
            participants=participants,
            policy=PolicySnapshot(
                config_version=self._config.version,
                tier=self._config.tier,
                policy_version=self._ports.policy_version(),
            ),
            created_at=self._ports.clock(),
            parent_session_id=parent,
            bitrate_kbps=plan.bitrate_kbps,
            direction_factor=plan.direction_factor,
        )
        if agreement is not None:  # a call agreed: the holdings' rule is for what users start
            created: Session = await self._registry.ask(KIND, session.id, Act(Create(session)))
        else:
            [user_id] = participants
            await self._registry.ask(HOLDINGS, user_id, Reserve(session.id, replacing=parent))
            try:
                created = await self._registry.ask(KIND, session.id, Act(Create(session)))
            finally:
                self._release(user_id, session.id)
        if agreement is not None:
            # The session record does not carry it yet: this line is the trail from call to
            # invite or match.
            log.info(
                "session %s (%s) opened by %s %s",
                created.id, created.mode, agreement.gate, agreement.ref,
            )  # fmt: skip
        return created

    async def _visible(self, caller: Caller, session_id: str) -> Session:
        session = await self._ports.store.get(session_id)
        if session is None or not may_act(session, caller.user_id, caller.is_admin):
            raise SessionNotFound("No such session.")
        return session

    def _view(self, session: Session) -> SessionView:
        # The session's fields of the same names, with its cost estimate as of now.
        view = msgspec.convert(session, SessionView, from_attributes=True)
        running = running_egress_bytes(session, self._ports.clock())
        return msgspec.structs.replace(view, estimated_egress_bytes=running)

    def _release(self, user_id: str, session_id: str) -> None:
        # Lost to a full mailbox or a shutdown, the reservation lapses after the ask timeout.
        with contextlib.suppress(MailboxFull, ShuttingDown):
            self._registry.tell(HOLDINGS, user_id, Release(session_id))

    def _expire(self, session_id: str, participant_id: str) -> None:
        act = Act(HeartbeatTimeout(self._ports.clock(), participant_id))
        try:
            self._registry.tell(KIND, session_id, act)
        except MailboxFull:
            # The actor is busy; try again after another timeout rather than lose the expiry.
            log.warning("session %s: heartbeat timeout deferred, mailbox full", session_id)
            self.heartbeats.arm(session_id, participant_id)
        except ShuttingDown:
            pass  # the registry is draining; reconcile ends the session at the next start


def _caller(principal: Principal) -> Caller:
    return Caller(user_id=principal.user_id, is_admin=principal.role == "admin")


def _admit(plan: _Plan, agreement: Agreement | None, path: str) -> None:
    """INV-2, before anything exists or ends: refuse unless the mode's gate is open."""
    gate = closed_gate(plan.gate, agreement)
    if gate == "consent":
        raise ConsentRequired(
            f"A {plan.mode} session starts only when the person invited accepts.", path=path
        )
    if gate == "match":
        raise MatchRequired(f"A {plan.mode} session starts only from a match.", path=path)


def open_orchestrator(
    registry: Registry, config: ConfigBundle, ports: SessionPorts
) -> AbstractAsyncContextManager[Orchestrator]:
    """Build the orchestrator and run its heartbeat watchdog for the block's duration."""
    return open_running(Orchestrator(registry, config, ports), name="session heartbeats")
