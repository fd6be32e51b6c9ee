"""The steps `decide` is made of: ending a match, resuming, cooling down, searching and pairing.
Each changes the book in place and appends what its owner must do."""

from __future__ import annotations

from vvtv.domain.matching.book import Book
from vvtv.domain.matching.book import Match
from vvtv.domain.matching.book import Person
from vvtv.domain.matching.ledger import ABUSE_CODES
from vvtv.domain.matching.ledger import Refusal
from vvtv.domain.matching.messages import CoolingDown
from vvtv.domain.matching.messages import Effect
from vvtv.domain.matching.messages import Emit
from vvtv.domain.matching.messages import EndCall
from vvtv.domain.matching.messages import Ended
from vvtv.domain.matching.messages import EndReason
from vvtv.domain.matching.messages import Refuse
from vvtv.domain.matching.messages import Refused
from vvtv.domain.matching.messages import Searching
from vvtv.domain.matching.messages import StartCall
from vvtv.domain.matching.rules import MatchRules
from vvtv.domain.matching.segment import Ticket

# What the other one of an ended match hears: who blocked whom is never said (MOD-2).
_TOLD_PEER: dict[EndReason, EndReason] = {
    "skipped": "peer_skipped",
    "left": "peer_left",
    "blocked": "peer_left",
}
CLOSED = Refusal("random_closed", "Random is paused for a moment; try again later.")


def end_match(
    book: Book,
    match: Match,
    by: str | None,
    reason: EndReason,
    now: float,
    rules: MatchRules,
    effects: list[Effect],
    skip_index: int = 0,
    call_ended: bool = False,
) -> None:
    """End `match` because of `by` (None: the session ended by itself): its call ends (unless
    `call_ended` already), `by` is told `reason`, and whoever did not leave searches again
    (MAT-5), told why."""
    del book.matches[match.id]
    if match.session_id is not None:
        book.by_session.pop(match.session_id, None)
        if by is not None and not call_ended:
            effects.append(EndCall(match.session_id, by, "skip" if reason == "skipped" else "user"))
    told_peer = _TOLD_PEER.get(reason, reason)
    # The one who did not end it is back in the queue first: a skip never costs its peer a place.
    for user_id in sorted(match.users, key=lambda user: user == by):
        person = book.people[user_id]
        person.match_id = None
        mine = reason if user_id == by or by is None else told_peer
        effects.append(Ended(user_id, mine, match.id, match.session_id))
        if user_id == by and reason == "left":
            continue  # the caller makes them idle
        if book.paused:
            close_out(book, person, rules, effects)
            continue
        if user_id == by and reason == "skipped" and person.ledger.cooldown_until > now:
            cool_down(book, person, now, rules, effects, skip_index)
            continue
        resume(book, person, now, rules, effects)


def resume(
    book: Book, person: Person, now: float, rules: MatchRules, effects: list[Effect]
) -> None:
    """Back to searching after a match or a cooldown, unless Random is paused or the hourly cap
    says no (ABU-5)."""
    if book.paused:
        close_out(book, person, rules, effects)
        return
    quarantined = person.pool == "quarantine"
    if (capped := person.ledger.hourly_refusal(quarantined, now, rules)) is not None:
        person.status = "idle"
        effects.append(Refused(person.user_id, capped))
        effects.append(Emit("match_blocked", {"reason": capped.code}))
        forget_later(book, person, rules)
        return
    search(book, person, now, rules, effects)


def close_out(book: Book, person: Person, rules: MatchRules, effects: list[Effect]) -> None:
    """Random is paused: out of the queue (or of a cooldown), idle, told so. Not leaving: no
    reconnect is counted when they come back."""
    if person.status == "searching":
        book.segment(person.segment).remove(person.user_id)
    person.status = "idle"
    effects.append(Refused(person.user_id, CLOSED))
    forget_later(book, person, rules)


def cool_down(
    book: Book,
    person: Person,
    now: float,
    rules: MatchRules,
    effects: list[Effect],
    skip_index: int = 0,
) -> None:
    person.status = "cooldown"
    until = person.ledger.cooldown_until
    effects.append(CoolingDown(person.user_id, until, skip_index))
    book.wake(until, "cooldown", person.user_id)


def search(
    book: Book, person: Person, now: float, rules: MatchRules, effects: list[Effect]
) -> None:
    person.status = "searching"
    enqueue(book, person, now, rules)
    effects.append(Searching(person.user_id, now, person.language))
    effects.append(Emit("match_searching", {"segment": person.segment}))
    pair(book, person, now, rules, effects)


def enqueue(book: Book, person: Person, since: float, rules: MatchRules) -> None:
    person.since = since
    ticket = Ticket(person.user_id, person.tags, since)
    book.segment(person.segment).add(ticket)
    if not ticket.relaxed:
        book.wake(since + rules.relax_after_s, "relax", person.user_id)


def pair(book: Book, person: Person, now: float, rules: MatchRules, effects: list[Effect]) -> None:
    segment = book.segment(person.segment)
    ticket = segment.waiting.get(person.user_id)
    if ticket is None:
        return
    if not ticket.relaxed and ticket.since + rules.relax_after_s <= now:
        segment.relax(person.user_id)
    ledger = person.ledger
    ledger.forget_met(now, rules)
    held_back_until: list[float] = []

    def acceptable(other_id: str) -> bool:
        other = book.people[other_id]
        if other_id in person.blocked or person.user_id in other.blocked:
            return False
        until = ledger.met_until(other_id, rules)
        if until is not None and until > now:
            held_back_until.append(until)
            return False
        return True

    peer_id = segment.best_for(ticket, acceptable)
    if peer_id is None:
        if held_back_until:
            # Only someone they met just now would do: look again when that no longer holds.
            book.wake(min(held_back_until), "retry", person.user_id)
        return
    peer = book.people[peer_id]
    segment.remove(person.user_id)
    peer_ticket = segment.remove(peer_id)
    assert peer_ticket is not None
    match = Match(book.new_match_id(), (peer_id, person.user_id), segment.key, person.pool, now)
    book.matches[match.id] = match
    for one, since in ((peer, peer_ticket.since), (person, ticket.since)):
        one.status = "connecting"
        one.match_id = match.id
        one.ledger.matched(match.peer_of(one.user_id), now)
        wait_ms = round((now - since) * 1000)
        effects.append(Emit("match_found", {"segment": segment.key, "wait_ms": wait_ms}))
    effects.append(StartCall(match.id, match.users, match.pool))


def forget_later(book: Book, person: Person, rules: MatchRules) -> None:
    book.wake(person.ledger.stale_at(rules), "forget", person.user_id)


def refuse(refusal: Refusal, effects: list[Effect]) -> None:
    if refusal.code in ABUSE_CODES:
        effects.append(Emit("match_blocked", {"reason": refusal.code}))
    effects.append(Refuse(refusal))
