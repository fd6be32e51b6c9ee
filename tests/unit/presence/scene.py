"""A presence room on a hand-moved clock, for the rule tests: it sends messages through `decide`,
ticks the room whenever it asked to be woken, heartbeats the connections told to stay alive, and
keeps what each connection was sent, with the time it was sent."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import TypeVar

from vvtv.contracts.events import PresenceSnapshot
from vvtv.contracts.events import PresenceUpdate
from vvtv.contracts.presence import PresenceFilters
from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresencePage
from vvtv.contracts.presence import PresenceQuery
from vvtv.contracts.presence import PresenceSet
from vvtv.domain.presence.decide import decide
from vvtv.domain.presence.messages import Answer
from vvtv.domain.presence.messages import Deliver
from vvtv.domain.presence.messages import Effect
from vvtv.domain.presence.messages import Expired
from vvtv.domain.presence.messages import Heartbeat
from vvtv.domain.presence.messages import Join
from vvtv.domain.presence.messages import Message
from vvtv.domain.presence.messages import Query
from vvtv.domain.presence.messages import Refuse
from vvtv.domain.presence.messages import Subscribe
from vvtv.domain.presence.messages import Tick
from vvtv.domain.presence.room import Person
from vvtv.domain.presence.room import RoomLimits
from vvtv.domain.presence.room import new_room

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HEARTBEAT_S = 5.0
LIMITS = RoomLimits(
    ttl_s=15.0,
    sweep_s=1.0,
    tick_s=0.25,
    large_room_threshold=50,
    party_page_size=3,
    grid_page_size=2,
    page_size_max=10,
    max_tags=3,
    max_capabilities=3,
    max_devices=2,
)
Event = PresenceSnapshot | PresenceUpdate
T = TypeVar("T")


class Scene:
    def __init__(self, *, listed: tuple[str, ...] = ("party", "sniffers"), **limits: Any) -> None:
        self.room = new_room(
            "party", ("party", "sniffers"), replace(LIMITS, **limits), T0, listed=listed
        )
        self.now = 0.0
        self.sent: dict[str, list[tuple[float, Event]]] = defaultdict(list)
        self.refusals: list[Refuse] = []
        self.expired: list[tuple[float, str]] = []
        self._next_beat = HEARTBEAT_S

    # -- sending -----------------------------------------------------------------------------------

    def send(self, message: Message) -> tuple[Effect, ...]:
        _, effects = decide(self.room, message, self.now)
        for effect in effects:
            if isinstance(effect, Deliver):
                self.sent[effect.connection].append((self.now, effect.event))
            elif isinstance(effect, Refuse):
                self.refusals.append(effect)
            elif isinstance(effect, Expired):
                self.expired += [(self.now, presence_id) for presence_id in effect.presence_ids]
        return effects

    def join(
        self, user: str, connection: str | None = None, *, as_: Person | None = None, **fields: Any
    ) -> PresenceMember:
        fields.setdefault("presence_mode", "party")
        person = as_ or Person(user_id=user, handle=user)
        connection = connection or f"{user}-1"
        effects = self.send(Join(connection, person, PresenceSet(**fields), f"p-{user}-{self.now}"))
        return _answer(effects, PresenceMember)

    def subscribe(
        self,
        user: str,
        connection: str | None = None,
        *,
        as_: Person | None = None,
        **query: Any,
    ) -> PresenceSnapshot:
        query.setdefault("ecosystem", "party")
        person = as_ or Person(user_id=user, handle=user)
        connection = connection or f"{user}-w"
        self.send(Subscribe(connection, person, PresenceQuery(**query)))
        _, event = self.sent[connection].pop()  # returned, so not kept with what follows
        assert isinstance(event, PresenceSnapshot)
        return event

    def query(self, user: str, *, as_: Person | None = None, **query: Any) -> PresencePage:
        query.setdefault("ecosystem", "party")
        if isinstance(query.get("filters"), dict):
            query["filters"] = PresenceFilters(**query["filters"])
        person = as_ or Person(user_id=user, handle=user)
        return _answer(self.send(Query(person, PresenceQuery(**query))), PresencePage)

    # -- time --------------------------------------------------------------------------------------

    def advance(self, seconds: float, *, keep_alive: tuple[str, ...] = ()) -> None:
        """Move the clock, ticking the room when it asked to be woken and heartbeating
        `keep_alive` every HEARTBEAT_S, in time order."""
        end = self.now + seconds
        if keep_alive:
            self._next_beat = max(self._next_beat, self.now)
        for _ in range(100_000):
            due = [t for t in (self.room.wake_at, self._next_beat if keep_alive else None) if t]
            upcoming = min(due, default=end)
            if upcoming > end:
                self.now = end
                return
            self.now = max(self.now, upcoming)
            if keep_alive and self._next_beat <= self.now:
                for connection in keep_alive:
                    self.send(Heartbeat(connection))
                self._next_beat = self.now + HEARTBEAT_S
            elif self.room.wake_at is not None and self.room.wake_at <= self.now:
                self.send(Tick())
            else:
                return
        raise AssertionError("the room keeps asking to be woken at once")

    # -- what was sent -----------------------------------------------------------------------------

    def take(self, connection: str) -> list[Event]:
        events = [event for _, event in self.sent.pop(connection, [])]
        return events

    def updates(self, connection: str) -> list[PresenceUpdate]:
        events = self.take(connection)
        assert all(isinstance(e, PresenceUpdate) for e in events), events
        return [e for e in events if isinstance(e, PresenceUpdate)]


def _answer(effects: tuple[Effect, ...], kind: type[T]) -> T:
    answers = [e.value for e in effects if isinstance(e, Answer)]
    refusals = [e for e in effects if isinstance(e, Refuse)]
    assert not refusals, effects
    assert len(answers) == 1, effects
    value = answers[0]
    assert isinstance(value, kind)
    return value


def handles(members: list[PresenceMember]) -> list[str]:
    return [member.handle for member in members]
