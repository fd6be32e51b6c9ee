"""The consent handshake (CNS-1..5): the invites one user (the invitee) is asked, as pure rules.

An invite is `pending` while its invitee is asked (every tab of theirs shows it) until it is
accepted, declined, cancelled by its inviter, or expires `timeout_s` after it was asked. A user
is asked at most `max_pending` invites at once; one more is refused or, by config, `queued` behind
them (CNS-5) and asked when one of them ends, its own `timeout_s` starting then. The first answer
wins: the invitee's devices answer one after another through one owner, and an invite already
answered refuses the next (OPS-5). Only an accepted invite asks for a call, and only once (CNS-2);
nothing else ever does (declined CNS-3, expired CNS-4, cancelled).

A shadow-quarantined inviter's invite to someone not quarantined alike is `hidden` (MOD-4): it is
made and shown to its inviter as any other, but its invitee is never asked (nor counted as asked),
and at `declines_at` it ends as declined, as if they had said no.

Ended invites stay for `timeout_s` more, so a late answer learns what happened to its invite
(409 invite_expired ...) rather than that it never existed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from vvtv.contracts.consent import CancelReason
from vvtv.contracts.consent import InviteStatus
from vvtv.domain.timer import WakeAt
from vvtv.domain.values import frozen

# An invite's statuses and why one is cancelled are the wire's (ARC-1 lets the domain read
# contracts), said once there.
Status = InviteStatus
OPEN: frozenset[Status] = frozenset({"queued", "pending"})
SecondInvite = Literal["queue", "refuse"]
NoticeKind = Literal["request", "accepted", "declined", "expired", "cancelled"]
RefusalCode = Literal[
    "invite_pending",
    "invite_queue_full",
    "unknown_invite",
    "not_invitee",
    "not_inviter",
    "invite_queued",
    "invite_answered",
    "invite_expired",
    "invite_cancelled",
]


@frozen
class InviteRules:
    timeout_s: float
    max_pending: int
    second_invite: SecondInvite
    max_queued: int


@frozen
class Invite:
    """Times are on the owner's monotonic clock (trio's)."""

    id: str
    inviter: str
    invitee: str
    status: Status
    created_at: float
    expires_at: float | None = None  # set when asked: a queued invite's time has not started
    ended_at: float | None = None
    session_id: str | None = None
    reason: CancelReason | None = None
    declines_at: float | None = None  # a hidden invite's end (MOD-4); None: a real one

    @property
    def hidden(self) -> bool:
        return self.declines_at is not None

    @property
    def open(self) -> bool:
        return self.status in OPEN


@frozen
class Inbox:
    """Every invite of one invitee, open or recently ended, in arrival order."""

    invitee: str
    invites: tuple[Invite, ...] = ()

    def find(self, invite_id: str) -> Invite | None:
        return next((i for i in self.invites if i.id == invite_id), None)

    def with_status(self, status: Status) -> tuple[Invite, ...]:
        return tuple(i for i in self.invites if i.status == status)

    def asking(self) -> int:
        """Invites its owner is being asked now (a hidden one is never asked)."""
        return sum(1 for i in self.invites if i.status == "pending" and not i.hidden)


# --- messages ------------------------------------------------------------------------------------


@frozen
class Ask:
    """`inviter` invites the inbox's owner (CNS-1)."""

    invite_id: str
    inviter: str
    now: float
    declines_at: float | None = None  # hidden (MOD-4): never asked, declined at this time


@frozen
class Answer:
    """One of `user`'s devices answers (CNS-2/3)."""

    invite_id: str
    user: str
    accept: bool
    now: float


@frozen
class Cancel:
    """The inviter withdraws (or their last tab closed, OPS-5; or the call could not start)."""

    invite_id: str
    user: str
    reason: CancelReason
    now: float


@frozen
class CallStarted:
    """The call an accepted invite asked for exists."""

    invite_id: str
    session_id: str
    now: float


@frozen
class Tick:
    """The owner's timer: expire what is due (CNS-4), forget what ended long enough ago."""

    now: float


Message = Ask | Answer | Cancel | CallStarted | Tick


# --- effects -------------------------------------------------------------------------------------


@frozen
class Changed:
    """The invite as it now is (for the owner's index and metrics)."""

    invite: Invite


@frozen
class Notify:
    """Tell every device of `user` (CNS-1: all the invitee's tabs)."""

    user: str
    kind: NoticeKind
    invite: Invite


@frozen
class CreateCall:
    """Start the agreed call for the invite's inviter and invitee (CNS-2), then `CallStarted`."""

    invite: Invite


@frozen
class Reply:
    invite: Invite


@frozen
class Refuse:
    code: RefusalCode
    text: str


Effect = Changed | Notify | CreateCall | WakeAt | Reply | Refuse


# --- the transition ------------------------------------------------------------------------------


def decide(inbox: Inbox, message: Message, rules: InviteRules) -> tuple[Inbox, list[Effect]]:
    """The inbox after `message`, and what its owner must do. A refusal changes nothing."""
    match message:
        case Ask():
            inbox, effects = _ask(inbox, message, rules)
        case Answer():
            inbox, effects = _answer(inbox, message, rules)
        case Cancel():
            inbox, effects = _cancel(inbox, message, rules)
        case CallStarted():
            inbox, effects = _call_started(inbox, message)
        case Tick():
            inbox, effects = _tick(inbox, message.now, rules)
    if any(isinstance(effect, Refuse) for effect in effects):
        return inbox, effects
    return inbox, [*effects, WakeAt(next_wake(inbox, rules))]


def next_wake(inbox: Inbox, rules: InviteRules) -> float | None:
    """The soonest expiry of a pending invite, or the time an ended one may be forgotten."""
    times = [i.expires_at for i in inbox.invites if i.status == "pending" and i.expires_at]
    times += [i.declines_at for i in inbox.invites if i.status == "pending" and i.declines_at]
    times += [i.ended_at + rules.timeout_s for i in inbox.invites if i.ended_at is not None]
    return min(times, default=None)


def _ask(inbox: Inbox, ask: Ask, rules: InviteRules) -> tuple[Inbox, list[Effect]]:
    if any(i.open and i.inviter == ask.inviter for i in inbox.invites):
        return inbox, [Refuse("invite_pending", "You have already invited them; wait for it.")]
    created = Invite(ask.invite_id, ask.inviter, inbox.invitee, "queued", ask.now)
    if ask.declines_at is not None:
        # Shown to its inviter as asked; its invitee never hears of it (MOD-4).
        hidden = replace(_asked(created, ask.now, rules), declines_at=ask.declines_at)
        return replace(inbox, invites=(*inbox.invites, hidden)), [Changed(hidden), Reply(hidden)]
    if inbox.asking() < rules.max_pending:
        invite = _asked(created, ask.now, rules)
        effects: list[Effect] = [Changed(invite), Notify(invite.invitee, "request", invite)]
    elif rules.second_invite == "refuse":
        return inbox, [Refuse("invite_pending", "They are answering another invite; try later.")]
    elif len(inbox.with_status("queued")) >= rules.max_queued:
        return inbox, [Refuse("invite_queue_full", "Too many invites wait for them; try later.")]
    else:
        invite = created
        effects = [Changed(invite)]
    return replace(inbox, invites=(*inbox.invites, invite)), [*effects, Reply(invite)]


def _answer(inbox: Inbox, answer: Answer, rules: InviteRules) -> tuple[Inbox, list[Effect]]:
    invite = inbox.find(answer.invite_id)
    if invite is None or invite.hidden:  # a hidden invite is none its invitee could know of
        return inbox, [Refuse("unknown_invite", "No such invite.")]
    if invite.invitee != answer.user:
        return inbox, [Refuse("not_invitee", "Only the invited user may answer an invite.")]
    if (refusal := _not_pending(invite)) is not None:
        return inbox, [refusal]
    if answer.accept:
        # The call is asked for here, once: the invite is no longer pending, so a second answer
        # (another device, a retry) is refused above (CNS-2, OPS-5).
        ended = _end(invite, "accepted", answer.now)
        inbox, effects = _settle(inbox, ended, [], answer.now, rules)
        return inbox, [*effects, CreateCall(ended), Reply(ended)]
    ended = _end(invite, "declined", answer.now)
    told: list[Effect] = [
        Notify(ended.inviter, "declined", ended),
        Notify(ended.invitee, "declined", ended),  # the invitee's other tabs: answered
    ]
    inbox, effects = _settle(inbox, ended, told, answer.now, rules)
    return inbox, [*effects, Reply(ended)]


def _cancel(inbox: Inbox, cancel: Cancel, rules: InviteRules) -> tuple[Inbox, list[Effect]]:
    invite = inbox.find(cancel.invite_id)
    if invite is None:
        return inbox, [Refuse("unknown_invite", "No such invite.")]
    if invite.inviter != cancel.user:
        return inbox, [Refuse("not_inviter", "Only the inviter may withdraw an invite.")]
    if cancel.reason == "call_failed":
        if invite.status != "accepted" or invite.session_id is not None:
            return inbox, [Refuse("invite_answered", "This invite's call is not being started.")]
    elif not invite.open:
        return inbox, [_ended_refusal(invite)]
    was_asked = invite.status in ("pending", "accepted") and not invite.hidden
    ended = replace(invite, status="cancelled", ended_at=cancel.now, reason=cancel.reason)
    told: list[Effect] = [Notify(ended.inviter, "cancelled", ended)]
    if was_asked:
        told.append(Notify(ended.invitee, "cancelled", ended))
    inbox, effects = _settle(inbox, ended, told, cancel.now, rules)
    return inbox, [*effects, Reply(ended)]


def _call_started(inbox: Inbox, started: CallStarted) -> tuple[Inbox, list[Effect]]:
    invite = inbox.find(started.invite_id)
    if invite is None or invite.status != "accepted" or invite.session_id is not None:
        return inbox, [Refuse("invite_answered", "This invite asked for no call (any more).")]
    done = replace(invite, session_id=started.session_id)
    inbox = _put(inbox, done)
    return inbox, [
        Changed(done),
        Notify(done.inviter, "accepted", done),
        Notify(done.invitee, "accepted", done),
        Reply(done),
    ]


def _tick(inbox: Inbox, now: float, rules: InviteRules) -> tuple[Inbox, list[Effect]]:
    effects: list[Effect] = []
    for invite in inbox.invites:
        if invite.status == "pending" and invite.declines_at is not None:
            if invite.declines_at <= now:
                # As if its invitee said no: only its inviter is told (MOD-4).
                ended = _end(invite, "declined", invite.declines_at)
                told_inviter: list[Effect] = [Notify(ended.inviter, "declined", ended)]
                inbox, settled = _settle(inbox, ended, told_inviter, now, rules)
                effects += settled
            continue
        if (
            invite.status == "pending"
            and invite.expires_at is not None
            and invite.expires_at <= now
        ):
            # Expiry only ends an invite: it never asks for a call (CNS-4).
            ended = _end(invite, "expired", invite.expires_at)
            told: list[Effect] = [
                Notify(ended.inviter, "expired", ended),
                Notify(ended.invitee, "expired", ended),
            ]
            inbox, settled = _settle(inbox, ended, told, now, rules)
            effects += settled
    kept = tuple(
        i for i in inbox.invites if i.ended_at is None or i.ended_at + rules.timeout_s > now
    )
    return replace(inbox, invites=kept), effects


def _settle(
    inbox: Inbox, ended: Invite, told: list[Effect], now: float, rules: InviteRules
) -> tuple[Inbox, list[Effect]]:
    """Record `ended`, tell its ends (`told`), then ask the queued invites that now fit, oldest
    first (CNS-5): the invitee's tabs close one overlay before the next one opens."""
    inbox = _put(inbox, ended)
    effects: list[Effect] = [Changed(ended), *told]
    room = rules.max_pending - inbox.asking()
    for queued in inbox.with_status("queued")[: max(room, 0)]:
        asked = _asked(queued, now, rules)
        inbox = _put(inbox, asked)
        effects += [Changed(asked), Notify(asked.invitee, "request", asked)]
    return inbox, effects


def _asked(invite: Invite, now: float, rules: InviteRules) -> Invite:
    return replace(invite, status="pending", expires_at=now + rules.timeout_s)


def _end(invite: Invite, status: Status, at: float) -> Invite:
    return replace(invite, status=status, ended_at=at)


def _put(inbox: Inbox, invite: Invite) -> Inbox:
    return replace(inbox, invites=tuple(invite if i.id == invite.id else i for i in inbox.invites))


def _not_pending(invite: Invite) -> Refuse | None:
    if invite.status == "pending":
        return None
    if invite.status == "queued":
        return Refuse("invite_queued", "This invite has not been asked yet.")
    return _ended_refusal(invite)


def _ended_refusal(invite: Invite) -> Refuse:
    if invite.status == "expired":
        return Refuse("invite_expired", "This invite expired.")
    if invite.status == "cancelled":
        return Refuse("invite_cancelled", "This invite was withdrawn.")
    return Refuse("invite_answered", "This invite was already answered.")
