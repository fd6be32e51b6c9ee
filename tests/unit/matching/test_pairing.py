"""Who meets whom, as pure rules (MAT-3, MAT-5, ABU-4, MOD-2, INV-5): segments, shared tags first
then anyone after the wait, never a blocked pair or two who just met, and a skip re-queues both."""

from __future__ import annotations

import pytest

from tests.unit.matching.rules import SHIPPED
from vvtv.domain.matching.book import Book
from vvtv.domain.matching.decide import decide
from vvtv.domain.matching.decide import standing
from vvtv.domain.matching.messages import Block
from vvtv.domain.matching.messages import CallStarted
from vvtv.domain.matching.messages import Effect
from vvtv.domain.matching.messages import Emit
from vvtv.domain.matching.messages import EndCall
from vvtv.domain.matching.messages import Ended
from vvtv.domain.matching.messages import Found
from vvtv.domain.matching.messages import Join
from vvtv.domain.matching.messages import Leave
from vvtv.domain.matching.messages import Skip
from vvtv.domain.matching.messages import StartCall
from vvtv.domain.matching.messages import Tick


class Queue:
    def __init__(self) -> None:
        self.book = Book("t")
        self.now = 0.0
        self.effects: list[Effect] = []

    def send(self, message: object) -> list[Effect]:
        effects = decide(self.book, message, SHIPPED)  # type: ignore[arg-type]
        self.effects += effects
        for effect in effects:
            if isinstance(effect, StartCall):
                # The orchestrator makes every call it is asked for, at once.
                session = f"s-{effect.match_id}"
                started = CallStarted(effect.match_id, session, effect.users, self.now)
                self.effects += decide(self.book, started, SHIPPED)
        return effects

    def join(
        self,
        user: str,
        *tags: str,
        language: str | None = "en",
        quarantined: bool = False,
        blocked: frozenset[str] = frozenset(),
    ) -> None:
        self.send(Join(user, language, frozenset(tags), quarantined, blocked, self.now))

    def wait(self, seconds: float) -> None:
        self.now += seconds
        self.send(Tick(self.now))

    def pairs(self) -> set[frozenset[str]]:
        return {frozenset(m.users) for m in self.book.matches.values()}

    def status(self, user: str) -> str:
        return standing(self.book, user, self.now, SHIPPED).status


@pytest.mark.req("MAT-3")
def test_two_in_one_language_meet_at_once_and_the_call_is_asked_for() -> None:
    queue = Queue()
    queue.join("ana")
    assert queue.status("ana") == "searching"
    queue.join("bob")
    assert queue.pairs() == {frozenset({"ana", "bob"})}
    assert next(e for e in queue.effects if isinstance(e, StartCall)).users == ("ana", "bob")
    assert {e.user_id for e in queue.effects if isinstance(e, Found)} == {"ana", "bob"}
    assert queue.status("ana") == queue.status("bob") == "in_call"


@pytest.mark.req("MAT-3")
def test_languages_are_segments_that_never_meet() -> None:
    queue = Queue()
    queue.join("ana", language="en")
    queue.join("bia", language="pt")
    queue.wait(SHIPPED.relax_after_s * 10)
    assert queue.pairs() == set()


@pytest.mark.req("MAT-3")
def test_a_shared_tag_is_preferred_and_the_most_shared_wins() -> None:
    queue = Queue()
    queue.join("ana", "music", "films")
    queue.join("bob", "sport")
    assert queue.pairs() == set()  # no shared tag, and neither has waited yet
    queue.join("cy", "music")
    queue.join("dee", "films", "music")
    # cy shared one tag with ana and met her first; dee, arriving later, waits for bob's relax.
    assert queue.pairs() == {frozenset({"ana", "cy"})}
    queue.join("eve", "films", "music", "sport")
    assert frozenset({"dee", "eve"}) in queue.pairs()  # two shared beat bob's one


@pytest.mark.req("MAT-3")
def test_after_relax_after_s_anyone_in_the_segment_will_do() -> None:
    queue = Queue()
    queue.join("ana", "music")
    queue.wait(1)
    queue.join("bob", "sport")
    queue.wait(SHIPPED.relax_after_s - 1 - 0.01)
    assert queue.pairs() == set()
    queue.wait(0.01)  # ana relaxed, bob not yet: each holds out for their own tags
    assert queue.pairs() == set()
    queue.wait(1)  # bob relaxed too
    assert queue.pairs() == {frozenset({"ana", "bob"})}


@pytest.mark.req("MAT-3")
def test_no_tags_means_anyone_who_also_takes_anyone() -> None:
    queue = Queue()
    queue.join("ana")
    queue.join("bob", "sport")  # holds out for sport for now
    assert queue.pairs() == set()
    queue.join("cy")
    assert queue.pairs() == {frozenset({"ana", "cy"})}


@pytest.mark.req("ABU-4")
def test_quarantined_accounts_meet_only_each_other() -> None:
    queue = Queue()
    queue.join("new", quarantined=True)
    queue.join("old")
    queue.wait(60)
    assert queue.pairs() == set()
    queue.join("newer", quarantined=True)
    assert queue.pairs() == {frozenset({"new", "newer"})}
    assert {e.pool for e in queue.effects if isinstance(e, StartCall)} == {"quarantine"}


@pytest.mark.req("MOD-2")
def test_a_blocked_pair_never_meets_and_a_block_from_a_call_ends_it() -> None:
    queue = Queue()
    queue.join("ana", blocked=frozenset({"bob"}))
    queue.join("bob", blocked=frozenset({"ana"}))
    queue.wait(60)
    assert queue.pairs() == set()
    queue.join("cy")
    [pair] = queue.pairs()
    other = next(iter(pair - {"cy"}))
    queue.now += 5
    queue.send(Block("cy", other, True, queue.now))
    assert frozenset({"cy", other}) not in queue.pairs()  # both search again: cy meets the third
    ended = {e.user_id: e.reason for e in queue.effects if isinstance(e, Ended)}
    assert ended == {"cy": "blocked", other: "peer_left"}  # the blocked one is not told why
    assert [e.reason for e in queue.effects if isinstance(e, EndCall)] == ["user"]
    queue.wait(SHIPPED.no_repeat_window_s * 2)
    assert frozenset({"cy", other}) not in queue.pairs()


@pytest.mark.req("MAT-5")
def test_a_skip_ends_the_call_and_both_search_again_and_never_meet_within_the_window() -> None:
    queue = Queue()
    queue.join("ana")
    queue.join("bob")
    queue.wait(SHIPPED.min_time_before_skip_s)
    effects = queue.send(Skip("ana", queue.now))
    assert [(e.by, e.reason) for e in effects if isinstance(e, EndCall)] == [("ana", "skip")]
    ended = {e.user_id: e.reason for e in effects if isinstance(e, Ended)}
    assert ended == {"ana": "skipped", "bob": "peer_skipped"}
    assert queue.status("ana") == queue.status("bob") == "searching"  # first skips cost nothing
    met_at = 0.0
    queue.wait(met_at + SHIPPED.no_repeat_window_s - queue.now - 1)
    assert queue.pairs() == set()  # the only two there, and they just met
    queue.wait(1)
    assert queue.pairs() == {frozenset({"ana", "bob"})}  # the window passed: a retry was due


@pytest.mark.req("MAT-4")
def test_the_chain_emits_its_telemetry_in_order() -> None:
    queue = Queue()
    queue.join("ana")
    queue.join("bob")
    queue.wait(SHIPPED.min_time_before_skip_s)
    queue.send(Skip("ana", queue.now))
    names = [e.name for e in queue.effects if isinstance(e, Emit)]
    assert names[:2] == ["match_join", "match_searching"]
    assert names.count("match_found") == 2
    assert names[names.index("match_found") :].count("match_skip") == 1


@pytest.mark.req("INV-5")
def test_only_those_who_joined_are_ever_paired() -> None:
    queue = Queue()
    queue.join("ana")
    queue.wait(3600)
    assert queue.pairs() == set()  # nobody else asked: nobody is drawn from anywhere else
    queue.send(Leave("ana", "left", queue.now))
    assert queue.status("ana") == "idle"
