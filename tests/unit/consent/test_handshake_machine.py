"""The handshake as a state machine over a few users (CNS-2/3/4/5, OPS-5): whatever they do -
invite, accept or decline from either of two devices, withdraw, close the last tab, wait - no call
is asked for without an accept, at most one per accepted invite, expiry never asks for one, and
an invite answered once refuses every later answer."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import invariant
from hypothesis.stateful import rule

from vvtv.domain.consent import Answer
from vvtv.domain.consent import Ask
from vvtv.domain.consent import CallStarted
from vvtv.domain.consent import Cancel
from vvtv.domain.consent import CreateCall
from vvtv.domain.consent import Effect
from vvtv.domain.consent import Inbox
from vvtv.domain.consent import InviteRules
from vvtv.domain.consent import Message
from vvtv.domain.consent import Refuse
from vvtv.domain.consent import SecondInvite
from vvtv.domain.consent import Tick
from vvtv.domain.consent import decide

pytestmark = pytest.mark.req("CNS-2", "CNS-3", "CNS-4", "CNS-5", "OPS-5")

USERS = ("ana", "bob", "cy")
users = st.sampled_from(USERS)


class Handshakes(RuleBasedStateMachine):
    second_invite: SecondInvite = "queue"

    def __init__(self) -> None:
        super().__init__()
        self.policy = InviteRules(
            timeout_s=20, max_pending=1, second_invite=self.second_invite, max_queued=2
        )
        self.now = 0.0
        self.inboxes = {user: Inbox(user) for user in USERS}
        self.invitee_of: dict[str, str] = {}
        self.inviter_of: dict[str, str] = {}
        self.accepted: set[str] = set()  # invites an accept was taken for
        self.answered: set[str] = set()  # invites any answer was taken for
        self.expired: set[str] = set()
        self.calls: dict[str, int] = {}  # invite -> calls asked for
        self.serial = 0

    def _send(self, invitee: str, message: Message) -> list[Effect]:
        inbox, effects = decide(self.inboxes[invitee], message, self.policy)
        self.inboxes[invitee] = inbox
        for effect in effects:
            if isinstance(effect, CreateCall):
                invite = effect.invite.id
                assert invite in self.accepted, "a call without an accept"
                assert invite not in self.expired, "an expired invite asked for a call"
                self.calls[invite] = self.calls.get(invite, 0) + 1
                # The owner starts the call at once (its failure is another rule).
                self._send(invitee, CallStarted(invite, f"s-{invite}", self.now))
        return effects

    @rule(inviter=users, invitee=users)
    def invite(self, inviter: str, invitee: str) -> None:
        if inviter == invitee:
            return  # the service refuses this before any inbox sees it
        self.serial += 1
        invite = f"i{self.serial}"
        effects = self._send(invitee, Ask(invite, inviter, self.now))
        if not any(isinstance(e, Refuse) for e in effects):
            self.invitee_of[invite] = invitee
            self.inviter_of[invite] = inviter

    @rule(data=st.data(), accept=st.booleans(), device=st.integers(0, 1))
    def answer(self, data: st.DataObject, accept: bool, device: int) -> None:
        if not self.invitee_of:
            return
        invite = data.draw(st.sampled_from(sorted(self.invitee_of)))
        invitee = self.invitee_of[invite]
        # Either device of the invitee (or someone else entirely) answers: the same message.
        user = data.draw(st.sampled_from([invitee, *USERS]))
        pending = self.inboxes[invitee].find(invite)
        was_pending = pending is not None and pending.status == "pending"
        if accept and user == invitee and was_pending:
            self.accepted.add(invite)
        effects = self._send(invitee, Answer(invite, user, accept, self.now))
        taken = not any(isinstance(e, Refuse) for e in effects)
        if taken:
            assert invite not in self.answered, "a second answer was taken"
            assert user == invitee
            assert was_pending
            self.answered.add(invite)

    @rule(data=st.data(), reason=st.sampled_from(["inviter", "tab_closed"]))
    def cancel(self, data: st.DataObject, reason: str) -> None:
        if not self.invitee_of:
            return
        invite = data.draw(st.sampled_from(sorted(self.invitee_of)))
        self._send(
            self.invitee_of[invite],
            Cancel(invite, self.inviter_of[invite], reason, self.now),  # type: ignore[arg-type]
        )

    @rule(seconds=st.sampled_from([0.5, 5.0, 19.5, 20.0, 45.0]))
    def wait(self, seconds: float) -> None:
        self.now += seconds
        for invitee in USERS:
            before = {i.id for i in self.inboxes[invitee].invites if i.status == "pending"}
            self._send(invitee, Tick(self.now))
            after = self.inboxes[invitee]
            self.expired |= {i.id for i in after.invites if i.status == "expired"} & before

    @invariant()
    def at_most_one_call_per_accepted_invite(self) -> None:
        assert all(count == 1 for count in self.calls.values())
        assert set(self.calls) <= self.accepted

    @invariant()
    def at_most_max_pending_asked_at_once(self) -> None:
        for inbox in self.inboxes.values():
            assert len(inbox.with_status("pending")) <= self.policy.max_pending

    @invariant()
    def no_pending_invite_outlives_its_time(self) -> None:
        for inbox in self.inboxes.values():
            for invite in inbox.with_status("pending"):
                assert invite.expires_at is not None
                assert invite.expires_at - self.now <= self.policy.timeout_s


TestHandshakes = Handshakes.TestCase
TestHandshakes.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


class RefusingHandshakes(Handshakes):
    second_invite: SecondInvite = "refuse"


TestRefusingHandshakes = RefusingHandshakes.TestCase
TestRefusingHandshakes.settings = TestHandshakes.settings
