"""The consent service: the one entry point of the consent routes, the `consent.answer` socket
message and the socket-close hook, over the inbox actors (one per invitee).

It refuses an invite between users a block stands between (either way) or to a banned user,
invite spam (`invites_per_minute` per inviter), a new account's invite to anyone not quarantined
(MOD-6, by config: it is told why) and, under Shield Mode, any invite of a new account. A
shadow-quarantined inviter's invite to anyone not shadow-quarantined is made but never asked, and
ends as declined after a moment (MOD-4: shown as any other, never told).

Only here is an `Agreement` made (INV-2): when an inbox reports an accepted invite, the service
asks the orchestrator for the call with both users as participants (CNS-2); nothing else can
start a consented call.
"""

from __future__ import annotations

import contextlib
import random
import uuid
from collections.abc import Callable

import trio

from vvtv.actors import MailboxFull
from vvtv.actors import Registry
from vvtv.clock import trio_origin
from vvtv.config import ConfigBundle
from vvtv.consent.actor import KIND
from vvtv.consent.actor import InboxActor
from vvtv.consent.actor import InboxHooks
from vvtv.consent.actor import InboxPorts
from vvtv.consent.actor import People
from vvtv.consent.actor import tick
from vvtv.consent.actor import wire
from vvtv.consent.errors import Blocked
from vvtv.consent.errors import InviteRateLimited
from vvtv.consent.errors import QuarantinedInvite
from vvtv.consent.errors import SelfInvite
from vvtv.consent.errors import ShieldGated
from vvtv.consent.errors import Unavailable
from vvtv.consent.errors import UnknownInvite
from vvtv.consent.timers import InboxTimers
from vvtv.contracts.consent import CancelReason
from vvtv.contracts.consent import ConsentInvite
from vvtv.contracts.consent import ConsentInvites
from vvtv.contracts.sessions import CreateSession
from vvtv.domain.accounts import Principal
from vvtv.domain.agreements import AgreedCalls
from vvtv.domain.agreements import Agreement
from vvtv.domain.agreements import AgreementPorts
from vvtv.domain.consent import Answer
from vvtv.domain.consent import Ask
from vvtv.domain.consent import Cancel
from vvtv.domain.consent import Invite
from vvtv.domain.consent import InviteRules
from vvtv.domain.rate_limit import Limit
from vvtv.domain.rate_limit import prune
from vvtv.domain.rate_limit import record
from vvtv.domain.rate_limit import retry_after

RATE_WINDOW_S = 60.0  # `invites_per_minute` names its window


def call_mode(config: ConfigBundle) -> str:
    """The mode an accepted invite starts: the manifests' consent-gated mode."""
    gated = [name for name, mode in config.modes.modes.items() if mode.policies.requires_consent]
    if len(gated) != 1:
        raise ValueError(f"consent needs exactly one mode that requires consent, got {gated}")
    return gated[0]


class Consent:
    def __init__(
        self,
        registry: Registry,
        config: ConfigBundle,
        inbox: InboxPorts,
        ports: AgreementPorts[People, AgreedCalls],
    ) -> None:
        limits = config.limits.consent
        quarantine = config.limits.anti_abuse.quarantine
        self._invite_open_accounts = quarantine.invite_open_accounts
        self._shadow_decline_s = (quarantine.shadow_decline_min_s, quarantine.shadow_decline_max_s)
        self._registry = registry
        self._inbox = inbox
        self._ports = ports
        self._mode = call_mode(config)
        self._retention_s = limits.timeout_s
        self._rate = Limit(limits.invites_per_minute, RATE_WINDOW_S)
        self._sent: dict[str, tuple[float, ...]] = {}
        self._invites: dict[str, Invite] = {}
        # Invites whose inviter had a socket open when inviting: their last one closing cancels.
        self._on_socket: set[str] = set()
        self.timers = InboxTimers(self._wake)
        rules = InviteRules(
            timeout_s=limits.timeout_s,
            max_pending=limits.max_pending_per_user,
            second_invite=limits.second_invite,
            max_queued=limits.max_queued_per_user,
        )
        hooks = InboxHooks(start_call=self._start_call, changed=self._changed, timers=self.timers)
        registry.register(KIND, lambda invitee: InboxActor(invitee, rules, inbox, hooks))

    async def run(self) -> None:
        """Run the inboxes' timers until cancelled, supervised by the actor kernel."""
        await self._registry.supervise("consent timers", self.timers.run)

    # -- the API -----------------------------------------------------------------------------------

    async def invite(self, principal: Principal, invitee_id: str) -> ConsentInvite:
        """CNS-1: ask `invitee_id` (every tab of theirs) for a private call."""
        inviter = principal.user_id
        if invitee_id == inviter:
            raise SelfInvite("You cannot invite yourself.", path="invitee_id")
        self._ports.people.user_view(invitee_id)  # 404 for no such user
        if not self._ports.people.can_interact(inviter, invitee_id):
            if invitee_id in self._ports.people.blocked_either_way(inviter):
                raise Blocked("A block stands between you.", path="invitee_id")
            raise Unavailable("This user cannot be invited.", path="invitee_id")
        self._check_quarantine(inviter, invitee_id)
        now = trio.current_time()
        sent = self._sent.get(inviter, ())
        wait = retry_after(sent, now, self._rate)
        if wait is not None:
            self._inbox.metrics.refusals.labels("rate_limited").inc()
            raise InviteRateLimited(
                f"Too many invites; try again in {wait:.0f} s.", retry_after_s=wait
            )
        self._sent[inviter] = record(sent, now, self._rate)
        self._prune(now)
        invite_id = uuid.uuid4().hex
        declines_at = self._declines_at(inviter, invitee_id, now)
        if self._ports.connections(inviter) > 0:
            self._on_socket.add(invite_id)
        try:
            made: ConsentInvite = await self._registry.ask(
                KIND, invitee_id, Ask(invite_id, inviter, now, declines_at)
            )
        except BaseException:
            self._on_socket.discard(invite_id)
            raise
        if self._inbox.events is not None:
            # Invites are made from a profile card (the UI's one way to invite, CNS-1).
            self._inbox.events.emit("consent_requested", invite_id=made.id, origin="profile_card")
        return made

    async def answer(self, principal: Principal, invite_id: str, accept: bool) -> ConsentInvite:
        """CNS-2/3: the invitee accepts (the call starts) or declines; the first answer wins."""
        invitee = self._invitee_of(principal, invite_id)
        answered: ConsentInvite = await self._registry.ask(
            KIND, invitee, Answer(invite_id, principal.user_id, accept, trio.current_time())
        )
        return answered

    async def cancel(self, principal: Principal, invite_id: str) -> ConsentInvite:
        invitee = self._invitee_of(principal, invite_id)
        cancelled: ConsentInvite = await self._registry.ask(
            KIND, invitee, Cancel(invite_id, principal.user_id, "inviter", trio.current_time())
        )
        return cancelled

    def mine(self, principal: Principal) -> ConsentInvites:
        """Your open and recently ended invites, sent and received (a hidden one only sent)."""
        self._prune(trio.current_time())
        me, at_zero = principal.user_id, trio_origin(self._inbox.clock)
        return ConsentInvites(
            invites=[
                wire(invite, at_zero, self._inbox.handle_of)
                for invite in sorted(self._invites.values(), key=lambda i: i.created_at)
                if me == invite.inviter or (me == invite.invitee and not invite.hidden)
            ]
        )

    # -- quarantine and Shield Mode ---------------------------------------------------------------

    def _check_quarantine(self, inviter: str, invitee: str) -> None:
        """A quarantined account is told what it may not do (MOD-6: a new one, or one a moderator
        quarantined; a shadow one is declined untold instead); Shield Mode may stop a new account
        inviting."""
        if self._ports.people.is_new(inviter) and not self._ports.gates().new_accounts_invite:
            self._inbox.metrics.refusals.labels("shield_new_accounts").inc()
            raise ShieldGated(
                "New accounts cannot invite anyone for now (Shield Mode).",
                code="shield_new_accounts",
                path="invitee_id",
            )
        if not self._ports.people.sees_quarantine(inviter):
            return
        if not self._invite_open_accounts and not self._ports.people.is_quarantined(invitee):
            self._inbox.metrics.refusals.labels("quarantine_invite").inc()
            raise QuarantinedInvite(
                "While your account is quarantined you can invite only accounts in quarantine too.",
                path="invitee_id",
            )

    def _declines_at(self, inviter: str, invitee: str, now: float) -> float | None:
        """When a shadow-quarantined inviter's invite to anyone not like them ends as declined
        (MOD-4), drawn as a person's answer would take; None for every other invite."""

        def shadowed(user_id: str) -> bool:
            return self._ports.people.user_view(user_id).shadow_quarantine

        if not shadowed(inviter) or shadowed(invitee):
            return None
        return now + random.uniform(*self._shadow_decline_s)

    # -- what other contexts tell consent ---------------------------------------------------------

    def socket_closed(self, connection: str) -> None:
        """A socket closed: an inviter left with none cancels what they asked (OPS-5)."""
        self._withdraw(
            lambda invite: (
                invite.id in self._on_socket and self._ports.connections(invite.inviter) == 0
            ),
            "tab_closed",
        )

    def block_changed(self, a: str, b: str, blocked: bool) -> None:
        """Identity's `on_block`: a new block withdraws the open invites between the two."""
        if blocked:
            self._withdraw(lambda invite: {invite.inviter, invite.invitee} == {a, b})

    async def banned(self, user_id: str, until: str | None) -> None:
        """Identity's `on_ban`: the user's open invites, sent and received, are withdrawn."""
        self._withdraw(lambda invite: user_id in (invite.inviter, invite.invitee))

    def _withdraw(
        self, which: Callable[[Invite], bool], reason: CancelReason = "unavailable"
    ) -> None:
        for invite in list(self._invites.values()):
            if invite.open and which(invite):
                self._on_socket.discard(invite.id)
                # Told, not asked: a full inbox mailbox drops this, and expiry still ends it.
                with contextlib.suppress(MailboxFull):
                    self._registry.tell(
                        KIND,
                        invite.invitee,
                        Cancel(invite.id, invite.inviter, reason, trio.current_time()),
                    )

    # -- the inboxes' hooks ------------------------------------------------------------------------

    async def _start_call(self, invite: Invite) -> str:
        # The one place a consent Agreement is made (INV-2): an invite its invitee accepted.
        agreement = Agreement(
            gate="consent", ref=invite.id, participants=(invite.inviter, invite.invitee)
        )
        view = await self._ports.calls.create_agreed(
            agreement,
            CreateSession(
                mode=self._mode,
                audience_type="one_to_one",
                stream_transport="webrtc",
                intent_label=self._mode,
            ),
        )
        return view.id

    def _changed(self, invite: Invite) -> None:
        self._invites[invite.id] = invite
        if not invite.open:
            self._on_socket.discard(invite.id)

    async def _wake(self, invitee: str) -> None:
        await self._registry.send(KIND, invitee, tick())

    def _invitee_of(self, principal: Principal, invite_id: str) -> str:
        invite = self._invites.get(invite_id)
        # Someone else's invite is as unknown as one that never was.
        if invite is None or principal.user_id not in (invite.inviter, invite.invitee):
            raise UnknownInvite("No such invite.", path="invite_id")
        return invite.invitee

    def _prune(self, now: float) -> None:
        for invite_id, invite in list(self._invites.items()):
            if invite.ended_at is not None and invite.ended_at + self._retention_s <= now:
                del self._invites[invite_id]
        for inviter, sent in list(self._sent.items()):
            if not prune(sent, now, self._rate):
                del self._sent[inviter]
