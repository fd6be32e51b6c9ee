"""A shadow-quarantined inviter's invite (MOD-4): made and shown to its inviter as any other,
never asked of its invitee, ended as declined at its time, as if they had said no."""

from __future__ import annotations

import pytest

from vvtv.domain.consent import (
    Answer,
    Ask,
    Cancel,
    Effect,
    Inbox,
    InviteRules,
    Notify,
    Refuse,
    Reply,
    Tick,
    WakeAt,
    decide,
)

RULES = InviteRules(timeout_s=20, max_pending=1, second_invite="refuse", max_queued=2)


def notices(effects: list[Effect]) -> list[tuple[str, str]]:
    return [(e.user, e.kind) for e in effects if isinstance(e, Notify)]


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
    assert [e.code for e in effects if isinstance(e, Refuse)] == ["unknown_invite"]
    _, effects = decide(inbox, Cancel("i1", "sam", "inviter", 1.0), RULES)
    assert notices(effects) == [("sam", "cancelled")]
