"""The inbox actor over its rules, with fake ports: what it does when the call it asks for
cannot start (CNS-2), and that a reply and the events beside it name the same instants."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
import trio

from vvtv.consent.actor import InboxActor
from vvtv.consent.actor import InboxHooks
from vvtv.consent.actor import InboxPorts
from vvtv.consent.timers import InboxTimers
from vvtv.contracts.events import ConsentCancelled
from vvtv.contracts.events import ConsentRequest
from vvtv.contracts.events import ServerEvent
from vvtv.domain.consent import Answer
from vvtv.domain.consent import Ask
from vvtv.domain.consent import Invite
from vvtv.domain.consent import InviteRules
from vvtv.errors import Unavailable

RULES = InviteRules(timeout_s=20, max_pending=1, second_invite="refuse", max_queued=1)


class Fakes:
    def __init__(self, *, fail: bool) -> None:
        self.fail = fail
        self.sent: list[tuple[str, ServerEvent]] = []
        self.index: dict[str, Invite] = {}
        self.calls: list[Invite] = []
        self.gone: set[str] = set()  # accounts that no longer exist

    async def start_call(self, invite: Invite) -> str:
        self.calls.append(invite)
        if self.fail:
            raise Unavailable("No calls now.", code="kill_switch")
        return "s1"

    def actor(self) -> InboxActor:
        async def wake(invitee: str) -> None:
            pass

        ports = InboxPorts(
            notify=lambda user, event: self.sent.append((user, event)),
            handle_of=lambda user: None if user in self.gone else f"@{user}",
            clock=lambda: datetime(2026, 12, 1, tzinfo=UTC),
        )
        hooks = InboxHooks(
            start_call=self.start_call,
            changed=lambda invite: self.index.__setitem__(invite.id, invite),
            timers=InboxTimers(wake),
        )
        return InboxActor("bob", RULES, ports, hooks)


@pytest.mark.req("CNS-2")
async def test_a_call_that_cannot_start_cancels_the_invite_tells_both_and_refuses() -> None:
    fakes = Fakes(fail=True)
    actor = fakes.actor()
    await actor.handle(Ask("i1", "ana", trio.current_time()))
    with pytest.raises(Unavailable):
        await actor.handle(Answer("i1", "bob", True, trio.current_time()))
    assert len(fakes.calls) == 1
    assert fakes.index["i1"].status == "cancelled"
    cancelled = [(user, e) for user, e in fakes.sent if isinstance(e, ConsentCancelled)]
    assert [(user, e.reason) for user, e in cancelled] == [
        ("ana", "call_failed"),
        ("bob", "call_failed"),
    ]


@pytest.mark.req("CNS-1")
async def test_the_reply_and_the_request_name_the_same_expiry() -> None:
    fakes = Fakes(fail=False)
    made = await fakes.actor().handle(Ask("i1", "ana", trio.current_time()))
    [(user, request)] = fakes.sent
    assert isinstance(request, ConsentRequest)
    assert made is not None
    assert (user, request.inviter_handle) == ("bob", "@ana")
    assert request.expires_at == made.expires_at
    assert (made.expires_at - made.created_at).total_seconds() == RULES.timeout_s


@pytest.mark.req("CNS-1")
async def test_an_invite_names_both_ends_and_none_for_an_account_that_is_gone() -> None:
    fakes = Fakes(fail=False)
    actor = fakes.actor()
    made = await actor.handle(Ask("i1", "ana", trio.current_time()))
    assert made is not None
    assert (made.inviter_handle, made.invitee_handle) == ("@ana", "@bob")
    fakes.gone.add("ana")
    fakes.sent.clear()
    declined = await actor.handle(Answer("i1", "bob", False, trio.current_time()))
    assert declined is not None
    assert (declined.inviter_handle, declined.invitee_handle) == (None, "@bob")
    assert len(fakes.sent) == 2  # both told, the missing name breaks nothing
