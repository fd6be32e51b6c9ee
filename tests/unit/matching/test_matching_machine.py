"""Matching as a state machine over a small population (MAT-2, MAT-5, MOD-2, ABU-1..6, INV-7):
whatever they do - join, skip, leave, lose every tab, block, be banned, hang up or go silent,
wait - whenever the calls they were matched for start or fail, and whenever the kill-switch
ladder pauses Random or lets it run, nobody is in two matches, no call exists without its match,
no blocked pair is ever matched, no pair meets twice within the no-repeat window, and nobody
searches or cools down while Random is paused."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import invariant
from hypothesis.stateful import rule

from tests.unit.matching.rules import SHIPPED
from vvtv.domain.matching import messages
from vvtv.domain.matching.book import Book
from vvtv.domain.matching.decide import decide

pytestmark = pytest.mark.req("MAT-2", "MAT-5", "MOD-2", "INV-2", "INV-7")

USERS = ("ana", "bob", "cy", "dee", "eve")
users = st.sampled_from(USERS)
tags = st.frozensets(st.sampled_from(["music", "films", "sport"]), max_size=2)


class Population(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.book = Book("h")
        self.now = 0.0
        self.blocked: set[frozenset[str]] = set()
        self.met_at: dict[frozenset[str], float] = {}
        self.starting: dict[str, tuple[str, str]] = {}  # match -> users, call not made yet
        self.calls: set[str] = set()  # sessions that exist and were not ended
        self.serial = 0

    def _send(self, message: messages.Message) -> None:
        for effect in decide(self.book, message, SHIPPED):
            if isinstance(effect, messages.StartCall):
                pair = frozenset(effect.users)
                assert len(pair) == 2, "matched with themselves"
                assert pair not in self.blocked, "a blocked pair was matched"
                last = self.met_at.get(pair)
                assert last is None or self.now - last >= SHIPPED.no_repeat_window_s, "re-paired"
                self.met_at[pair] = self.now
                self.starting[effect.match_id] = effect.users
            elif isinstance(effect, messages.EndCall):
                assert effect.session_id in self.calls, "ended a call that is not open"
                self.calls.discard(effect.session_id)

    @rule(
        user=users, tags=tags, language=st.sampled_from(["en", "pt"]), q=st.booleans(),
        shadow=st.booleans(),
    )  # fmt: skip
    def join(self, user: str, tags: frozenset[str], language: str, q: bool, shadow: bool) -> None:
        blocked = frozenset(o for o in USERS if frozenset({user, o}) in self.blocked)
        quarantined = q and user in ("dee", "eve")
        self._send(
            messages.Join(user, language, tags, quarantined, blocked, self.now, shadow=shadow)
        )

    @rule(user=users)
    def skip(self, user: str) -> None:
        self._send(messages.Skip(user, self.now))

    @rule(user=users, reason=st.sampled_from(["left", "disconnected", "banned"]))
    def leave(self, user: str, reason: str) -> None:
        self._send(messages.Leave(user, reason, self.now))  # type: ignore[arg-type]

    @rule(a=users, b=users)
    def block(self, a: str, b: str) -> None:
        if a != b:
            self.blocked.add(frozenset({a, b}))
            self._send(messages.Block(a, b, True, self.now))

    @rule(data=st.data(), works=st.booleans())
    def call_answered(self, data: st.DataObject, works: bool) -> None:
        if not self.starting:
            return
        match_id = data.draw(st.sampled_from(sorted(self.starting)))
        pair = self.starting.pop(match_id)
        if works:
            self.serial += 1
            session = f"s{self.serial}"
            self.calls.add(session)  # made; matching ends it if nobody waits for it any more
            self._send(messages.CallStarted(match_id, session, pair, self.now))
        else:
            self._send(messages.CallFailed(match_id, self.now))

    @rule(
        data=st.data(),
        by=st.sampled_from([None, *USERS]),
        reason=st.sampled_from(["user", "skip", "timeout", "transition", "shutdown"]),
    )
    def call_dropped(self, data: st.DataObject, by: str | None, reason: str) -> None:
        """A call ended outside matching: a participant hung up or went silent (or someone not
        in it, or the system, ended it)."""
        if self.calls:
            session = data.draw(st.sampled_from(sorted(self.calls)))
            self.calls.discard(session)
            ended_by = None if by is None else messages.EndedBy(by, reason)
            self._send(messages.SessionEnded(session, self.now, ended_by))

    @rule(paused=st.booleans())
    def ladder(self, paused: bool) -> None:
        self._send(messages.Pause(paused, self.now))

    @rule(seconds=st.sampled_from([0.5, 2.0, 3.0, 10.0, 60.0, 601.0]))
    def wait(self, seconds: float) -> None:
        self.now += seconds
        self._send(messages.Tick(self.now))

    @invariant()
    def nobody_is_in_two_matches(self) -> None:
        seen: list[str] = []
        for match in self.book.matches.values():
            seen += match.users
        assert len(seen) == len(set(seen))
        for user_id, person in self.book.people.items():
            in_match = person.status in ("connecting", "in_call")
            assert in_match == (user_id in seen), (user_id, person.status)

    @invariant()
    def every_open_call_is_a_live_match(self) -> None:
        live = {m.session_id for m in self.book.matches.values() if m.session_id is not None}
        assert live == self.calls

    @invariant()
    def nobody_searches_while_random_is_paused(self) -> None:
        if self.book.paused:
            waiting = {p.status for p in self.book.people.values()} & {"searching", "cooldown"}
            assert not waiting

    @invariant()
    def the_searching_are_queued_once_and_nobody_else(self) -> None:
        queued = [u for segment in self.book.segments.values() for u in segment.waiting]
        assert len(queued) == len(set(queued))
        searching = {u for u, p in self.book.people.items() if p.status == "searching"}
        assert set(queued) == searching


TestPopulation = Population.TestCase
TestPopulation.settings = settings(max_examples=200, stateful_step_count=50, deadline=None)
