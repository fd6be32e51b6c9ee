"""The matching transition: `decide(book, message, rules)` changes the book in place and returns
what its owner must do. Pairing happens on each event that may make a pair possible (a join, a
skip, a leave, a cooldown's or a wait's end, a lifted block), never on a polling tick.

Never paired: two people in different segments (language, or the quarantine pool, ABU-4); a pair
a block stands between (MOD-2); a pair that met within `no_repeat_window_s`; anyone who did not
join (the queue holds only those who asked: Party presence is never drawn from, INV-5). Matching
only decides: a pair becomes a call when the orchestrator has made it (MAT-2), and only then are
both told `Found`. A refusal changes nothing.

A call a participant ends outside matching (the session's own end, `POST /sessions/{id}/end`) is
theirs to answer for, as if they had asked matching: going silent (`timeout`) or moving to
another mode (`transition`) is leaving (ABU-3 counts the way back); any other end is their skip,
counted towards the cooldown schedule and the skips-a-minute switch (ABU-1, ABU-6). A skip that
would have been refused (`too_early`, ABU-2; `kill_switch`, ABU-6) cannot be undone, since the
call has ended: its skipper serves the wait the refusal would have named as a cooldown.

While the kill-switch ladder pauses Random nobody joins (`random_closed`), and whoever would
search (the queue, those cooling down, those whose call ends) is stopped and told so.
"""

from __future__ import annotations

from vvtv.domain.matching.book import Book
from vvtv.domain.matching.book import Person
from vvtv.domain.matching.book import Pool
from vvtv.domain.matching.ledger import Refusal
from vvtv.domain.matching.messages import Block
from vvtv.domain.matching.messages import Call
from vvtv.domain.matching.messages import CallFailed
from vvtv.domain.matching.messages import CallStarted
from vvtv.domain.matching.messages import Effect
from vvtv.domain.matching.messages import Emit
from vvtv.domain.matching.messages import EndCall
from vvtv.domain.matching.messages import Ended
from vvtv.domain.matching.messages import Flagged
from vvtv.domain.matching.messages import Found
from vvtv.domain.matching.messages import Join
from vvtv.domain.matching.messages import Leave
from vvtv.domain.matching.messages import Look
from vvtv.domain.matching.messages import Message
from vvtv.domain.matching.messages import Paired
from vvtv.domain.matching.messages import Pause
from vvtv.domain.matching.messages import Place
from vvtv.domain.matching.messages import Queued
from vvtv.domain.matching.messages import Refuse
from vvtv.domain.matching.messages import Reply
from vvtv.domain.matching.messages import SessionEnded
from vvtv.domain.matching.messages import Skip
from vvtv.domain.matching.messages import Standing
from vvtv.domain.matching.messages import Tick
from vvtv.domain.matching.rules import MatchRules
from vvtv.domain.matching.steps import CLOSED
from vvtv.domain.matching.steps import close_out
from vvtv.domain.matching.steps import cool_down
from vvtv.domain.matching.steps import end_match
from vvtv.domain.matching.steps import enqueue
from vvtv.domain.matching.steps import forget_later
from vvtv.domain.matching.steps import pair
from vvtv.domain.matching.steps import refuse
from vvtv.domain.matching.steps import resume
from vvtv.domain.matching.steps import search
from vvtv.domain.timer import WakeAt

# A participant's own end of their call that is leaving it (the session's end reasons): they
# went silent, or moved to another mode. Any other end by a participant is their skip.
_LEAVING_ENDS = frozenset({"timeout", "transition"})


def decide(book: Book, message: Message, rules: MatchRules) -> list[Effect]:
    effects: list[Effect] = []
    match message:
        case Join():
            _join(book, message, rules, effects)
        case Skip(user_id, now):
            _skip(book, user_id, now, rules, effects)
        case Leave(user_id, reason, now):
            _leave(book, user_id, reason == "banned", now, rules, effects)
            effects.append(Reply(standing(book, user_id, now, rules)))
        case Flagged(user_id, cooldown_s, now):
            _flagged(book, user_id, cooldown_s, now, rules, effects)
        case Block(a, b, blocked, now):
            _block(book, a, b, blocked, now, rules, effects)
        case CallStarted():
            _call_started(book, message, rules, effects)
        case CallFailed(match_id, now):
            _call_failed(book, match_id, now, rules, effects)
        case SessionEnded():
            _session_ended(book, message, rules, effects)
        case Pause(paused, now):
            _pause(book, paused, now, rules, effects)
        case Tick(now):
            _tick(book, now, rules, effects)
        case Look(user_id, now, quarantined, shadow):
            effects.append(Reply(standing(book, user_id, now, rules, (quarantined, shadow))))
    if any(isinstance(effect, Refuse) for effect in effects):
        return effects
    return [*effects, WakeAt(book.next_wake())]


def standing(
    book: Book,
    user_id: str,
    now: float,
    rules: MatchRules,
    quarantine: tuple[bool, bool] | None = None,
) -> Standing:
    """Where `user_id` stands. `quarantine` (quarantined, shadow) is identity's word as of now,
    for someone idle; whoever searches or is matched stands in the pool they joined."""
    person = book.people.get(user_id)
    quarantined, shadow = quarantine or (False, False)
    if person is not None and (person.status != "idle" or quarantine is None):
        quarantined, shadow = person.pool == "quarantine", person.shadow
    # A shadow quarantine is applied, never told (MOD-4): its subject sees the open pool's figures.
    shown = quarantined and not shadow
    if person is None:
        return Standing(matches_left=rules.hourly_cap(shown), quarantined=shown)
    ledger = person.ledger
    return Standing(
        _place(book, person, rules),
        language=person.language,
        tags=tuple(sorted(person.tags)),
        cooldown_until=ledger.cooldown_until if ledger.cooldown_until > now else None,
        next_cooldown_s=ledger.next_cooldown_s(now, rules),
        matches_left=ledger.matches_left(shown, now, rules),
        quarantined=shown,
    )


def _place(book: Book, person: Person, rules: MatchRules) -> Place:
    match person.status:
        case "searching":
            return Queued(person.since)
        case "connecting" | "in_call":
            assert person.match_id is not None  # matched: their match stands until they are told
            match = book.matches[person.match_id]
            call = None
            if match.session_id is not None and match.live_since is not None:
                call = Call(match.session_id, match.live_since + rules.min_time_before_skip_s)
            return Paired(match.id, match.peer_of(person.user_id), call)
        case idle_or_cooldown:
            return idle_or_cooldown


# --- the messages ------------------------------------------------------------------------------


def _join(book: Book, join: Join, rules: MatchRules, effects: list[Effect]) -> None:
    person = book.person(join.user_id)
    now = join.now
    if person.status in ("connecting", "in_call"):
        refuse(Refusal("in_match", "You are in a match: skip or leave it first."), effects)
        return
    if book.paused:
        refuse(CLOSED, effects)
        return
    pool: Pool = "quarantine" if join.quarantined else "open"
    person.blocked = set(join.blocked)
    person.shadow = join.quarantined and join.shadow
    if person.status in ("searching", "cooldown"):
        # Already in: the new preferences apply, the place in the queue is kept.
        ticket = book.segment(person.segment).remove(join.user_id)
        person.language, person.tags, person.pool = join.language, join.tags, pool
        if ticket is not None:
            enqueue(book, person, ticket.since, rules)
            pair(book, person, now, rules, effects)
        effects.append(Reply(standing(book, join.user_id, now, rules)))
        return
    if (refusal := person.ledger.join_refusal(join.quarantined, now, rules)) is not None:
        refuse(refusal, effects)
        return
    person.ledger.joined(now, rules)
    person.language, person.tags, person.pool = join.language, join.tags, pool
    effects.append(Emit("match_join", {"segment": person.segment, "quarantined": join.quarantined}))
    search(book, person, now, rules, effects)
    effects.append(Reply(standing(book, join.user_id, now, rules)))


def _skip(
    book: Book,
    user_id: str,
    now: float,
    rules: MatchRules,
    effects: list[Effect],
    *,
    call_ended: bool = False,
) -> None:
    """A skip asked for, or (`call_ended`) a participant's own end of the call, which nothing
    can refuse any more: what a refusal would have made them wait, they wait as a cooldown."""
    person = book.people.get(user_id)
    match = book.matches.get(person.match_id) if person and person.match_id else None
    if person is None or match is None:
        refuse(Refusal("not_in_call", "You are not in a call."), effects)
        return
    ledger = person.ledger
    if (refusal := ledger.skip_refusal(match.live_since, now, rules)) is not None:
        if refusal.code == "kill_switch":
            effects.append(
                Emit(
                    "kill_switch_tripped",
                    {
                        "switch": "max_skips_per_minute",
                        "measured": float(ledger.skips_in_minute(now) + 1),
                        "threshold": float(rules.max_skips_per_minute),
                    },
                )
            )
        if not call_ended:
            refuse(refusal, effects)
            return
        effects.append(Emit("match_blocked", {"reason": refusal.code}))
        ledger.pause(now + (refusal.retry_after_s or 0.0))
    # Not too early (or ended by its participant), so the call exists.
    assert match.session_id is not None
    assert match.live_since is not None
    index, cooldown = ledger.skipped(now, rules)
    effects.append(
        Emit(
            "match_skip",
            {
                "session_id": match.session_id,
                "after_ms": round((now - match.live_since) * 1000),
                "skip_index": index,
            },
        )
    )
    end_match(
        book, match, user_id, "skipped", now, rules, effects, skip_index=index,
        call_ended=call_ended,
    )  # fmt: skip
    if cooldown > 0:
        effects.append(Emit("cooldown_started", {"cooldown_s": cooldown, "skip_index": index}))
    if not call_ended:  # else nobody asked: the orchestrator answered the session's end
        effects.append(Reply(standing(book, user_id, now, rules)))


def _leave(
    book: Book,
    user_id: str,
    banned: bool,
    now: float,
    rules: MatchRules,
    effects: list[Effect],
    *,
    call_ended: bool = False,
) -> None:
    person = book.people.get(user_id)
    if person is None or person.status == "idle":
        return
    match = book.matches.get(person.match_id) if person.match_id else None
    if match is not None:
        end_match(book, match, user_id, "left", now, rules, effects, call_ended=call_ended)
    else:
        book.segment(person.segment).remove(user_id)
        effects.append(Ended(user_id, "left"))
    person.status = "idle"
    if not banned:
        person.ledger.left(now)
    forget_later(book, person, rules)


def _flagged(
    book: Book,
    user_id: str,
    cooldown_s: float,
    now: float,
    rules: MatchRules,
    effects: list[Effect],
) -> None:
    """Nothing refuses it (the call may be seconds old): their call ends as their skip, their
    peer searches again at once, and they wait `cooldown_s` (or a longer one they owe)."""
    person = book.people.get(user_id)
    match = book.matches.get(person.match_id) if person and person.match_id else None
    if person is None or match is None or match.session_id is None:
        return
    person.ledger.pause(now + cooldown_s)
    end_match(book, match, user_id, "skipped", now, rules, effects)
    effects.append(Emit("cooldown_started", {"cooldown_s": cooldown_s, "skip_index": 0}))


def _block(
    book: Book, a: str, b: str, blocked: bool, now: float, rules: MatchRules, effects: list[Effect]
) -> None:
    people = [p for p in (book.people.get(a), book.people.get(b)) if p is not None]
    for person in people:
        other = b if person.user_id == a else a
        if blocked:
            person.blocked.add(other)
        else:
            person.blocked.discard(other)
    if not blocked:
        # Lifted: the two may suit each other now.
        for person in people:
            if person.status == "searching":
                pair(book, person, now, rules, effects)
        return
    first = book.people.get(a)
    match = book.matches.get(first.match_id) if first and first.match_id else None
    if match is not None and b in match.users:
        # A block made from within a call ends it at once; the blocked one hears only that the
        # peer left (MOD-2).
        end_match(book, match, a, "blocked", now, rules, effects)


def _call_started(
    book: Book, started: CallStarted, rules: MatchRules, effects: list[Effect]
) -> None:
    match = book.matches.get(started.match_id)
    if match is None:
        # Someone left (or blocked) while the call was being made: nobody is waiting for it.
        effects.append(EndCall(started.session_id, started.users[0], "user"))
        return
    match.session_id, match.live_since = started.session_id, started.now
    book.by_session[started.session_id] = match.id
    skip_at = started.now + rules.min_time_before_skip_s
    for user_id in match.users:
        book.people[user_id].status = "in_call"
        peer = match.peer_of(user_id)
        effects.append(Found(user_id, match.id, started.session_id, peer, skip_at))


def _call_failed(
    book: Book, match_id: str, now: float, rules: MatchRules, effects: list[Effect]
) -> None:
    match = book.matches.pop(match_id, None)
    if match is None:
        return
    for user_id in match.users:
        person = book.people[user_id]
        person.match_id = None
        person.ledger.unmatched(match.found_at)
        effects.append(Ended(user_id, "call_failed", match.id))
        if book.paused:
            close_out(book, person, rules, effects)
            continue
        # A pause, so a call that cannot start (a kill switch, the SFU full) is not retried in a
        # hot loop; the two have met, so they will not be paired with each other again soon.
        person.ledger.pause(now + rules.call_failed_pause_s)
        cool_down(book, person, now, rules, effects)


def _session_ended(
    book: Book, ended: SessionEnded, rules: MatchRules, effects: list[Effect]
) -> None:
    match_id = book.by_session.get(ended.session_id)
    if match_id is None:
        return
    match = book.matches[match_id]
    by = ended.by
    if by is None or by.user_id not in match.users:
        # Nobody in it ended it: both search again, as after any match.
        end_match(book, match, None, "session_ended", ended.now, rules, effects)
    elif by.reason in _LEAVING_ENDS:
        _leave(book, by.user_id, False, ended.now, rules, effects, call_ended=True)
    else:
        _skip(book, by.user_id, ended.now, rules, effects, call_ended=True)


def _pause(book: Book, paused: bool, now: float, rules: MatchRules, effects: list[Effect]) -> None:
    """The ladder paused Random: the queue and those cooling down are stopped, told why. Calls
    go on; whoever's call ends while paused is stopped too (`end_match`). Lifted: nobody is put
    back by themselves, they join again."""
    book.paused = paused
    if not paused:
        return
    for person in list(book.people.values()):
        if person.status in ("searching", "cooldown"):
            close_out(book, person, rules, effects)


def _tick(book: Book, now: float, rules: MatchRules, effects: list[Effect]) -> None:
    for kind, user_id in book.due(now):
        person = book.people.get(user_id)
        if person is None:
            continue
        if kind == "cooldown":
            if person.status == "cooldown" and person.ledger.cooldown_until <= now:
                resume(book, person, now, rules, effects)
        elif kind == "relax":
            if person.status == "searching":
                book.segment(person.segment).relax(user_id)
                pair(book, person, now, rules, effects)
        elif kind == "retry":
            if person.status == "searching":
                pair(book, person, now, rules, effects)
        elif person.status == "idle":  # forget
            person.ledger.forget_met(now, rules)
            if person.ledger.stale_at(rules) <= now:
                del book.people[user_id]
            else:
                forget_later(book, person, rules)
