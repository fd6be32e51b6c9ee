"""The inbox actor (kind `consent`, key = the invitee): a thin loop over `decide` that serialises
every message about one user's invites, so their devices' answers come one after another and the
first wins (OPS-5). It pushes the handshake's events through `notify`, asks for its next `Tick`
through the timers, and starts an accepted invite's call through `start_call` (the service's: it
holds the agreement, INV-2).

An inbox lives in memory only (an invite lasts seconds; the config keeps `timeout_s` below the
kernel's idle_passivate_s, so an inbox with an open invite is never passivated): after a crash
its invites are gone, their ends' answers refused as unknown, and no call is made for them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import ClassVar
from typing import Protocol

import trio
from prometheus_client import CollectorRegistry

from vvtv.actors import BaseActor
from vvtv.clock import WallClock
from vvtv.clock import trio_origin
from vvtv.consent.errors import InviteAnswered
from vvtv.consent.errors import InviteCancelled
from vvtv.consent.errors import InviteExpired
from vvtv.consent.errors import InvitePending
from vvtv.consent.errors import InviteQueued
from vvtv.consent.errors import InviteQueueFull
from vvtv.consent.errors import NotInvitee
from vvtv.consent.errors import NotInviter
from vvtv.consent.errors import UnknownInvite
from vvtv.consent.metrics import ConsentMetrics
from vvtv.consent.timers import InboxTimers
from vvtv.contracts.consent import ConsentInvite
from vvtv.contracts.events import ConsentAccepted
from vvtv.contracts.events import ConsentCancelled
from vvtv.contracts.events import ConsentDeclined
from vvtv.contracts.events import ConsentExpired
from vvtv.contracts.events import ConsentRequest
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.identity import UserView
from vvtv.domain.consent import CallStarted
from vvtv.domain.consent import Cancel
from vvtv.domain.consent import Changed
from vvtv.domain.consent import CreateCall
from vvtv.domain.consent import Effect
from vvtv.domain.consent import Inbox
from vvtv.domain.consent import Invite
from vvtv.domain.consent import InviteRules
from vvtv.domain.consent import Message
from vvtv.domain.consent import Notify
from vvtv.domain.consent import Refuse
from vvtv.domain.consent import Reply
from vvtv.domain.consent import Tick
from vvtv.domain.consent import decide
from vvtv.domain.timer import WakeAt
from vvtv.domain.values import frozen
from vvtv.errors import VvtvError
from vvtv.errors import by_code
from vvtv.observability.events import ServerEvents

log = logging.getLogger(__name__)

KIND = "consent"

HandleOf = Callable[[str], str | None]  # None: the account is gone

REFUSALS: Mapping[str, type[VvtvError]] = by_code(
    InvitePending,
    InviteQueueFull,
    UnknownInvite,
    NotInvitee,
    NotInviter,
    InviteQueued,
    InviteAnswered,
    InviteExpired,
    InviteCancelled,
)


class People(Protocol):
    """What consent asks identity about two users, as of now."""

    def user_view(self, user_id: str) -> UserView: ...
    def can_interact(self, a: str, b: str) -> bool: ...
    def blocked_either_way(self, user_id: str) -> frozenset[str]: ...
    def is_new(self, user_id: str) -> bool: ...
    def sees_quarantine(self, user_id: str) -> bool: ...
    def is_quarantined(self, user_id: str) -> bool: ...


@frozen
class InboxPorts:
    """What an inbox actor reaches outside itself: only telling and counting."""

    notify: Callable[[str, ServerEvent], None]  # to every socket of one user
    handle_of: HandleOf
    clock: WallClock  # the wire's times; timers run on trio's clock
    metrics: ConsentMetrics = field(default_factory=lambda: ConsentMetrics(CollectorRegistry()))
    events: ServerEvents | None = None  # consent_requested / consent_resolved (TEL-1)


@frozen
class InboxHooks:
    """What the service lends every inbox: its call starter (the agreement is the service's), its
    index of invites (who may see which) and the timers."""

    start_call: Callable[[Invite], Awaitable[str]]
    changed: Callable[[Invite], None]
    timers: InboxTimers


def wire(invite: Invite, at_zero: datetime, handle_of: HandleOf) -> ConsentInvite:
    return ConsentInvite(
        id=invite.id,
        inviter_id=invite.inviter,
        invitee_id=invite.invitee,
        status=invite.status,
        created_at=at_zero + timedelta(seconds=invite.created_at),
        expires_at=(
            None if invite.expires_at is None else at_zero + timedelta(seconds=invite.expires_at)
        ),
        session_id=invite.session_id,
        reason=invite.reason,
        inviter_handle=handle_of(invite.inviter),
        invitee_handle=handle_of(invite.invitee),
    )


class InboxActor(BaseActor):
    """Replies with the invite a message concerned; refusals raise."""

    kind: ClassVar[str] = KIND

    def __init__(
        self, invitee: str, rules: InviteRules, ports: InboxPorts, hooks: InboxHooks
    ) -> None:
        self._inbox = Inbox(invitee)
        self._rules = rules
        self._ports = ports
        self._hooks = hooks
        self._origin = trio_origin(ports.clock)

    async def on_stop(self) -> None:
        self._hooks.timers.set(self._inbox.invitee, None)
        if open_ := [i for i in self._inbox.invites if i.open]:
            log.warning(
                "consent inbox of %s stopped holding %d open invites; they are gone",
                self._inbox.invitee,
                len(open_),
            )

    async def handle(self, message: Message) -> ConsentInvite | None:
        self._origin = trio_origin(self._ports.clock)
        reply = await self._step(message)
        return None if reply is None else wire(reply, self._origin, self._ports.handle_of)

    async def _step(self, message: Message) -> Invite | None:
        self._inbox, effects = decide(self._inbox, message, self._rules)
        reply: Invite | None = None
        call: Invite | None = None
        for effect in effects:
            reply = self._perform(effect, reply)
            if isinstance(effect, CreateCall):
                call = effect.invite
        if call is not None:
            # Still inside this message: a second answer waits behind it, and finds it answered.
            try:
                session_id = await self._hooks.start_call(call)
            except VvtvError:
                await self._step(Cancel(call.id, call.inviter, "call_failed", trio.current_time()))
                raise
            reply = await self._step(CallStarted(call.id, session_id, trio.current_time()))
        return reply

    def _perform(self, effect: Effect, reply: Invite | None) -> Invite | None:
        match effect:
            case Changed(invite):
                self._hooks.changed(invite)
                # An accept is counted once its call exists (it is Changed twice: answered, then
                # with its session); one whose call could not start counts as cancelled.
                if invite.status != "accepted" or invite.session_id is not None:
                    self._ports.metrics.invites.labels(invite.status).inc()
                    self._tell(invite)
            case Notify(user, kind, invite):
                self._ports.notify(user, self._event(kind, invite))
            case WakeAt(at):
                self._hooks.timers.set(self._inbox.invitee, at)
            case Reply(invite):
                return invite
            case Refuse(code, text):
                self._ports.metrics.refusals.labels(code).inc()
                raise REFUSALS[code](text)
            case CreateCall():
                pass
        return reply

    def _tell(self, invite: Invite) -> None:
        """The server's telemetry: an invite answered, or run out (ids and timings only)."""
        events = self._ports.events
        if events is not None and invite.status in ("accepted", "declined", "expired"):
            waited = (invite.ended_at or trio.current_time()) - invite.created_at
            events.emit(
                "consent_resolved", invite_id=invite.id, outcome=invite.status,
                wait_ms=int(waited * 1000),
            )  # fmt: skip

    def _event(self, kind: str, invite: Invite) -> ServerEvent:
        match kind:
            case "request":
                shown = wire(invite, self._origin, self._ports.handle_of)
                assert shown.expires_at is not None  # asked: its time runs
                return ConsentRequest(
                    invite=shown,
                    inviter_handle=shown.inviter_handle,
                    expires_at=shown.expires_at,
                )
            case "accepted":
                assert invite.session_id is not None  # told once the call exists
                return ConsentAccepted(invite_id=invite.id, session_id=invite.session_id)
            case "declined":
                return ConsentDeclined(invite_id=invite.id)
            case "expired":
                return ConsentExpired(invite_id=invite.id)
        assert invite.reason is not None
        return ConsentCancelled(invite_id=invite.id, reason=invite.reason)


def tick() -> Tick:
    return Tick(trio.current_time())
