"""Everything matching holds: the people it knows (status, preferences, blocks, ledger), the
queue's segments, the matches made, and when it next has something to do.

Mutable, with one owner: `decide` changes it in place, because copying a queue of thousands for
every join is the cost one owner exists to avoid. Times are on the owner's monotonic clock.

A person's status:

    idle ──join──▶ searching ──paired──▶ connecting ──call started──▶ in_call
      ▲               ▲  ▲                    │ call failed              │ skip / peer skip /
      │               │  └────────────────────┼──────────────────────────┘ block / session ended
      │               └──── cooldown ◀────────┘ (and after one's own skip, by the schedule)
      └── leave / last tab closed / ban, from anywhere; Random paused, from searching or cooldown
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Literal

from vvtv.contracts.matching import MatchStatus
from vvtv.domain.matching.ledger import Ledger
from vvtv.domain.matching.segment import Segment

# A person's statuses are the wire's (ARC-1 lets the domain read contracts), said once there.
Status = MatchStatus
Pool = Literal["open", "quarantine"]
WakeKind = Literal["cooldown", "relax", "retry", "forget"]
ANY_LANGUAGE = "any"


def segment_key(pool: Pool, language: str | None) -> str:
    """Quarantined accounts meet only each other (ABU-4); everyone meets their own language."""
    return f"{pool}:{language or ANY_LANGUAGE}"


class Person:
    __slots__ = (
        "blocked",
        "language",
        "ledger",
        "match_id",
        "pool",
        "shadow",
        "since",
        "status",
        "tags",
        "user_id",
    )

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id
        self.status: Status = "idle"
        self.language: str | None = None
        self.tags: frozenset[str] = frozenset()
        self.pool: Pool = "open"
        self.shadow = False  # the quarantine pool by a moderator's shadow quarantine (MOD-4)
        self.blocked: set[str] = set()  # who they block or are blocked by (MOD-2)
        self.since = 0.0  # searching since
        self.match_id: str | None = None
        self.ledger = Ledger()

    @property
    def segment(self) -> str:
        return segment_key(self.pool, self.language)


@dataclass(slots=True)
class Match:
    """Two people matching paired (MAT-2): `connecting` until their call exists, then live."""

    id: str
    users: tuple[str, str]
    segment: str
    pool: Pool
    found_at: float
    session_id: str | None = None
    live_since: float | None = None

    def peer_of(self, user_id: str) -> str:
        a, b = self.users
        return b if user_id == a else a


class Book:
    def __init__(self, epoch: str) -> None:
        self.epoch = epoch  # makes match ids unique across the process's lives
        self.people: dict[str, Person] = {}
        self.segments: dict[str, Segment] = {}
        self.matches: dict[str, Match] = {}
        self.by_session: dict[str, str] = {}  # session id -> match id
        self.paused = False  # the kill-switch ladder's `random_paused`: nobody searches
        self._wakes: list[tuple[float, int, WakeKind, str]] = []
        self._serial = 0

    def person(self, user_id: str) -> Person:
        person = self.people.get(user_id)
        if person is None:
            person = self.people[user_id] = Person(user_id)
        return person

    def segment(self, key: str) -> Segment:
        segment = self.segments.get(key)
        if segment is None:
            segment = self.segments[key] = Segment(key)
        return segment

    def new_match_id(self) -> str:
        self._serial += 1
        return f"{self.epoch}-{self._serial}"

    @property
    def searching(self) -> int:
        return sum(len(segment) for segment in self.segments.values())

    # -- wake-ups -------------------------------------------------------------------------------
    # One heap of (time, what, who); an entry is checked against the person when it comes due,
    # so one that no longer applies is simply dropped (no search to cancel it).

    def wake(self, at: float, kind: WakeKind, user_id: str) -> None:
        self._serial += 1
        heapq.heappush(self._wakes, (at, self._serial, kind, user_id))

    def due(self, now: float) -> list[tuple[WakeKind, str]]:
        due = []
        while self._wakes and self._wakes[0][0] <= now:
            _, _, kind, user_id = heapq.heappop(self._wakes)
            due.append((kind, user_id))
        return due

    def next_wake(self) -> float | None:
        return self._wakes[0][0] if self._wakes else None
