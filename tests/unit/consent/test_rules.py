"""The consent handshake's pure rules (CNS-1..5, OPS-5): one invitee's inbox; a shadow-quarantined
inviter's hidden invite (MOD-4): made and shown to its inviter as any other, never asked of its
invitee, ended as declined at its time, as if they had said no."""

from __future__ import annotations

import pytest

from vvtv.domain.consent import Answer
from vvtv.domain.consent import Ask
from vvtv.domain.consent import CallStarted
from vvtv.domain.consent import Cancel
from vvtv.domain.consent import Changed
from vvtv.domain.consent import CreateCall
from vvtv.domain.consent import Effect
from vvtv.domain.consent import Inbox
from vvtv.domain.consent import InviteRules
from vvtv.domain.consent import Notify
from vvtv.domain.consent import Refuse
from vvtv.domain.consent import Reply
from vvtv.domain.consent import Tick
from vvtv.domain.consent import WakeAt
from vvtv.domain.consent import decide

RULES = InviteRules(timeout_s=20, max_pending=1, second_invite="refuse", max_queued=2)
QUEUE = InviteRules(timeout_s=20, max_pending=1, second_invite="queue", max_queued=1)


def notices(effects: list[Effect]) -> list[tuple[str, str]]:
    return [(e.user, e.kind) for e in effects if isinstance(e, Notify)]


def refusal(effects: list[Effect]) -> str | None:
    return next((e.code for e in effects if isinstance(e, Refuse)), None)


def asked(rules: InviteRules = RULES) -> Inbox:
    inbox, _ = decide(Inbox("bob"), Ask("i1", "ana", 0.0), rules)
    return inbox


@pytest.mark.req("CNS-1")
def test_an_invite_asks_every_device_of_the_invitee_and_wakes_at_its_expiry() -> None:
    inbox, effects = decide(Inbox("bob"), Ask("i1", "ana", 100.0), RULES)
    assert notices(effects) == [("bob", "request")]
    (invite,) = inbox.invites
    assert (invite.status, invite.expires_at) == ("pending", 120.0)
    assert WakeAt(120.0) in effects
    assert not any(isinstance(e, CreateCall) for e in effects)


@pytest.mark.req("CNS-2")
def test_accepting_asks_for_one_call_and_tells_both_once_it_exists() -> None:
    inbox, effects = decide(asked(), Answer("i1", "bob", True, 5.0), RULES)
    calls = [e for e in effects if isinstance(e, CreateCall)]
    assert [(c.invite.inviter, c.invite.invitee) for c in calls] == [("ana", "bob")]
    assert notices(effects) == []  # nobody is told before the call exists
    inbox, effects = decide(inbox, CallStarted("i1", "s1", 6.0), RULES)
    assert notices(effects) == [("ana", "accepted"), ("bob", "accepted")]
    assert inbox.invites[0].session_id == "s1"
    _, again = decide(inbox, CallStarted("i1", "s2", 7.0), RULES)
    assert refusal(again) == "invite_answered"


@pytest.mark.req("CNS-3")
def test_declining_tells_the_inviter_and_asks_for_nothing() -> None:
    inbox, effects = decide(asked(), Answer("i1", "bob", False, 5.0), RULES)
    assert notices(effects) == [("ana", "declined"), ("bob", "declined")]
    assert not any(isinstance(e, CreateCall) for e in effects)
    assert inbox.invites[0].status == "declined"


@pytest.mark.req("CNS-4")
def test_an_unanswered_invite_expires_at_its_time_and_asks_for_nothing() -> None:
    inbox, effects = decide(asked(), Tick(19.9), RULES)
    assert inbox.invites[0].status == "pending"
    inbox, effects = decide(inbox, Tick(20.0), RULES)
    assert notices(effects) == [("ana", "expired"), ("bob", "expired")]
    assert not any(isinstance(e, CreateCall) for e in effects)
    _, late = decide(inbox, Answer("i1", "bob", True, 21.0), RULES)
    assert refusal(late) == "invite_expired"
    forgotten, _ = decide(inbox, Tick(40.0), RULES)
    assert forgotten.invites == ()


@pytest.mark.req("CNS-5")
def test_a_second_invite_is_refused_under_refuse() -> None:
    inbox, effects = decide(asked(), Ask("i2", "cy", 1.0), RULES)
    assert refusal(effects) == "invite_pending"
    assert len(inbox.invites) == 1


@pytest.mark.req("CNS-5")
def test_a_second_invite_is_queued_under_queue_and_asked_when_the_first_ends() -> None:
    inbox, effects = decide(asked(QUEUE), Ask("i2", "cy", 1.0), QUEUE)
    assert notices(effects) == []
    assert next(e for e in effects if isinstance(e, Reply)).invite.status == "queued"
    _, full = decide(inbox, Ask("i3", "dee", 2.0), QUEUE)
    assert refusal(full) == "invite_queue_full"
    _, early = decide(inbox, Answer("i2", "bob", True, 3.0), QUEUE)
    assert refusal(early) == "invite_queued"
    inbox, effects = decide(inbox, Answer("i1", "bob", False, 10.0), QUEUE)
    assert ("bob", "request") in notices(effects)
    second = inbox.find("i2")
    assert second is not None
    assert (second.status, second.expires_at) == ("pending", 30.0)


def test_one_inviter_cannot_ask_the_same_user_twice_at_once() -> None:
    _, effects = decide(asked(QUEUE), Ask("i2", "ana", 1.0), QUEUE)
    assert refusal(effects) == "invite_pending"


@pytest.mark.req("OPS-5")
def test_the_first_answer_wins_across_devices() -> None:
    inbox, _ = decide(asked(), Answer("i1", "bob", False, 1.0), RULES)
    _, second = decide(inbox, Answer("i1", "bob", True, 1.5), RULES)
    assert refusal(second) == "invite_answered"
    assert not any(isinstance(e, CreateCall) for e in second)


def test_only_the_invitee_answers_and_only_the_inviter_cancels() -> None:
    _, effects = decide(asked(), Answer("i1", "cy", True, 1.0), RULES)
    assert refusal(effects) == "not_invitee"
    _, effects = decide(asked(), Cancel("i1", "bob", "inviter", 1.0), RULES)
    assert refusal(effects) == "not_inviter"
    _, effects = decide(asked(), Answer("nope", "bob", True, 1.0), RULES)
    assert refusal(effects) == "unknown_invite"


@pytest.mark.req("OPS-5")
def test_cancelling_closes_the_invitees_overlay_and_refuses_a_late_accept() -> None:
    inbox, effects = decide(asked(), Cancel("i1", "ana", "tab_closed", 3.0), RULES)
    assert notices(effects) == [("ana", "cancelled"), ("bob", "cancelled")]
    assert inbox.invites[0].reason == "tab_closed"
    _, late = decide(inbox, Answer("i1", "bob", True, 4.0), RULES)
    assert refusal(late) == "invite_cancelled"


def test_a_call_that_could_not_start_cancels_its_invite() -> None:
    inbox, _ = decide(asked(), Answer("i1", "bob", True, 1.0), RULES)
    inbox, effects = decide(inbox, Cancel("i1", "ana", "call_failed", 2.0), RULES)
    assert inbox.invites[0].status == "cancelled"
    assert notices(effects) == [("ana", "cancelled"), ("bob", "cancelled")]


def test_a_refusal_changes_nothing() -> None:
    before = asked()
    after, effects = decide(before, Ask("i2", "cy", 1.0), RULES)
    assert after == before
    assert not any(isinstance(e, Changed | WakeAt) for e in effects)


# -- hidden invites (MOD-4) ---------------------------------------------------------------------


@pytest.mark.req("MOD-4")
def test_a_hidden_invite_looks_asked_to_its_inviter_and_its_invitee_never_hears_of_it() -> None:
    _, plain_effects = decide(Inbox("bob"), Ask("i0", "cal", 100.0), RULES)
    inbox, effects = decide(Inbox("bob"), Ask("i1", "sam", 100.0, declines_at=107.0), RULES)
    assert notices(effects) == []
    (reply,) = [e.invite for e in effects if isinstance(e, Reply)]
    (shown,) = [e.invite for e in plain_effects if isinstance(e, Reply)]
    # What the inviter is answered: the same status and expiry a real invite has.
    assert (reply.status, reply.expires_at) == (shown.status, shown.expires_at)
    assert (reply.status, reply.expires_at) == ("pending", 120.0)
    assert WakeAt(107.0) in effects
    # It takes none of the invitee's room: a real invite is still asked at once.
    inbox, effects = decide(inbox, Ask("i2", "cal", 101.0), RULES)
    assert notices(effects) == [("bob", "request")]


@pytest.mark.req("MOD-4")
def test_a_hidden_invite_ends_declined_at_its_time_telling_only_its_inviter() -> None:
    inbox, _ = decide(Inbox("bob"), Ask("i1", "sam", 0.0, declines_at=7.0), RULES)
    inbox, effects = decide(inbox, Tick(6.9), RULES)
    assert notices(effects) == []
    inbox, effects = decide(inbox, Tick(7.0), RULES)
    assert notices(effects) == [("sam", "declined")]
    assert inbox.invites[0].status == "declined"


@pytest.mark.req("MOD-4")
def test_the_invitee_cannot_answer_a_hidden_invite_and_a_cancel_tells_only_the_inviter() -> None:
    inbox, _ = decide(Inbox("bob"), Ask("i1", "sam", 0.0, declines_at=7.0), RULES)
    _, effects = decide(inbox, Answer("i1", "bob", True, 1.0), RULES)
    assert refusal(effects) == "unknown_invite"
    _, effects = decide(inbox, Cancel("i1", "sam", "inviter", 1.0), RULES)
    assert notices(effects) == [("sam", "cancelled")]
