"""Presence rooms (PRS-1..5, OPS-4/5, MOD-2/4/6) as a pure `decide(room, message, now)`.

One room per ecosystem key (`party`, `live_public`, `random`, ...): a member joins the room of
its mode's ecosystem and every query runs inside one room, so Party presence cannot reach Live
Public or the Random queue (INV-5, MOD-7). A room refuses a mode of another ecosystem.

Who sees whom is one rule, `visible_to`, under every list, count and diff: never yourself, never
a hidden member, never across a block either way (MOD-2), and a shadow-quarantined member only by
other shadow-quarantined viewers (MOD-4).

A connection (one tab's socket) is a device of its user's one presence (OPS-5) and may watch the
room; heartbeats keep both alive, and a connection silent for `ttl_s` is dropped at the next sweep
(PRS-5). A reconnect within the TTL finds the presence still there: same presence id, nothing for
watchers to see. Changes are not sent as they happen: they mark members dirty, and one flush per
`tick_s` turns them into at most one `presence.update` per watcher (PRS-4). Above
`large_room_threshold` members a watcher gets the count and its page instead of each join/leave.

`now` is seconds on the owner's timer clock; views are stamped with `origin + now` (wall time).
The room is a mutable value with one owner: `decide` changes it in place and returns it, because
copying a room of thousands of members for every heartbeat is the cost one owner exists to avoid.
"""

from __future__ import annotations

import bisect
import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from vvtv.contracts.events import PresenceSnapshot, PresenceUpdate
from vvtv.contracts.presence import (
    PresenceFilters,
    PresenceMember,
    PresencePage,
    PresenceQuery,
    PresenceSet,
    Visibility,
)

# --- the room's values ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomLimits:
    """The config's `presence` section, in the room's units (seconds, counts)."""

    ttl_s: float  # ghost_ttl_s
    sweep_s: float  # expiries are checked on this grid, so many fall due in one wake
    tick_s: float  # fanout_tick_ms / 1000: the batching window of diffs
    large_room_threshold: int
    party_page_size: int
    grid_page_size: int
    page_size_max: int
    max_tags: int
    max_capabilities: int
    max_devices: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """Who a member or watcher is, as identity knows them when they arrive."""

    user_id: str
    handle: str
    shadow_quarantined: bool = False  # MOD-4: never told; seen only by others like them
    quarantined_new: bool = False  # MOD-6: a new account, marked in views
    blocked: frozenset[str] = frozenset()  # users they block or who block them (MOD-2)


def visible_to(viewer: Person, member: Person, visibility: Visibility) -> bool:
    """Whether `viewer` may see `member` in any list, count or diff."""
    if viewer.user_id == member.user_id or visibility == "hidden":
        return False
    if member.user_id in viewer.blocked or viewer.user_id in member.blocked:
        return False
    return viewer.shadow_quarantined or not member.shadow_quarantined


class Member:
    """One user's presence: small, because a room holds many and most of them idle."""

    __slots__ = (
        "capabilities",
        "devices",
        "is_camera_on",
        "joined_at",
        "language",
        "mode",
        "presence_id",
        "seq",
        "tags",
        "user_id",
        "version",
        "view",
        "visibility",
    )

    def __init__(self, user_id: str, presence_id: str, mode: str, now: float, seq: int) -> None:
        self.user_id = user_id
        self.presence_id = presence_id
        self.mode = mode
        self.is_camera_on = False
        self.visibility: Visibility = "visible"
        self.capabilities: tuple[str, ...] = ()
        self.tags: tuple[str, ...] = ()
        self.language: str | None = None
        self.devices: dict[str, float] = {}  # connection -> last sign of life
        self.joined_at = now
        self.seq = seq  # arrival order in the room: the party order and every cursor's tie-break
        self.version = 0  # bumped by every change a watcher can see
        self.view: PresenceMember | None = None  # the wire view, until the member changes


class Watcher:
    """One connection watching the room through a query."""

    __slots__ = ("connection", "query", "recheck_all", "seen", "sent", "user_id")

    def __init__(self, connection: str, user_id: str, query: PresenceQuery) -> None:
        self.connection = connection
        self.user_id = user_id
        self.query = query
        # Diff mode: what this watcher holds now, user id -> (presence id, version).
        self.seen: dict[str, tuple[str, int]] = {}
        # Large mode: what the last page sent looked like, to send nothing when nothing changed.
        self.sent: tuple[object, ...] | None = None
        # Whom this watcher may see changed for more than the dirty members (its own relations).
        self.recheck_all = False


@dataclass(slots=True, kw_only=True)
class Room:
    ecosystem: str
    modes: frozenset[str]  # the modes whose ecosystem this is: the only ones that may join
    limits: RoomLimits
    origin: datetime  # the wall time at `now == 0`
    members: dict[str, Member] = field(default_factory=dict)  # by user id, in arrival order
    watchers: dict[str, Watcher] = field(default_factory=dict)  # by connection
    people: dict[str, Person] = field(default_factory=dict)  # everyone with a member or watcher
    # user id -> the people here who list them as blocked: with `Person.blocked`, both directions
    # of every block, even one identity reported from one side only.
    blocked_by: dict[str, set[str]] = field(default_factory=dict)
    devices: dict[str, str] = field(default_factory=dict)  # connection -> user id of its member
    watching: dict[str, set[str]] = field(default_factory=dict)  # user id -> their connections
    # Every connection by its last sign of life, oldest first: the next to expire is the first.
    alive: OrderedDict[str, float] = field(default_factory=OrderedDict)
    dirty: set[str] = field(default_factory=set)  # user ids a watcher may see differently
    flush_at: float | None = None
    wake_at: float | None = None  # the wake-up last asked of the owner
    large: bool = False  # the size mode watchers were last served in
    seq: int = 0
    now: float = 0.0  # the time of the message being decided


def new_room(ecosystem: str, modes: Iterable[str], limits: RoomLimits, origin: datetime) -> Room:
    return Room(ecosystem=ecosystem, modes=frozenset(modes), limits=limits, origin=origin)


@dataclass(frozen=True, slots=True)
class RoomStatistics:
    members: int
    devices: int
    watchers: int
    large: bool


def statistics(room: Room) -> RoomStatistics:
    return RoomStatistics(
        members=len(room.members),
        devices=len(room.devices),
        watchers=len(room.watchers),
        large=len(room.members) > room.limits.large_room_threshold,
    )


# --- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Join:
    """A connection sets fields in this ecosystem: it joins as a device of its user's presence
    (made with `presence_id` if the user has none here yet)."""

    connection: str
    person: Person
    fields: PresenceSet
    presence_id: str


@dataclass(frozen=True, slots=True)
class Set:
    """A joined connection changes its presence's fields."""

    connection: str
    fields: PresenceSet


@dataclass(frozen=True, slots=True)
class Leave:
    """The connection leaves now (its user's presence goes with its last device)."""

    connection: str


@dataclass(frozen=True, slots=True)
class Heartbeat:
    connection: str


@dataclass(frozen=True, slots=True)
class Tick:
    """The owner's timer, at the time the last `WakeAt` asked for (or later)."""


@dataclass(frozen=True, slots=True)
class Subscribe:
    connection: str
    person: Person
    query: PresenceQuery


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    connection: str


@dataclass(frozen=True, slots=True)
class BlocksChanged:
    """`a` blocked (or unblocked) `b`: effective in the next flush, both ways (MOD-2)."""

    a: str
    b: str
    blocked: bool


@dataclass(frozen=True, slots=True)
class QuarantineChanged:
    """A moderator put `user_id` in shadow quarantine or took them out (MOD-4)."""

    user_id: str
    shadow: bool


@dataclass(frozen=True, slots=True)
class Expel:
    """Remove a user from the room now, every device and every watch (a ban, MOD-3)."""

    user_id: str


@dataclass(frozen=True, slots=True)
class Query:
    """A read-only look (GET /presence/party, /presence/grid: OPS-4); answered with a page."""

    viewer: Person
    query: PresenceQuery


Message = (
    Join
    | Set
    | Leave
    | Heartbeat
    | Tick
    | Subscribe
    | Unsubscribe
    | BlocksChanged
    | QuarantineChanged
    | Expel
    | Query
)

# --- effects -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deliver:
    connection: str
    event: PresenceSnapshot | PresenceUpdate


@dataclass(frozen=True, slots=True)
class Answer:
    """The asker's reply: their own presence after a join or set, or a query's page."""

    value: PresenceMember | PresencePage


@dataclass(frozen=True, slots=True)
class WakeAt:
    """Send the room a `Tick` at `at` (replacing any earlier request); None: no timer at all."""

    at: float | None


@dataclass(frozen=True, slots=True)
class Expired:
    """Presences dropped for silence (PRS-5), by presence id."""

    presence_ids: tuple[str, ...]


RefusalCode = Literal["not_present", "wrong_ecosystem", "invalid_fields", "invalid_query"]


@dataclass(frozen=True, slots=True)
class Refuse:
    code: RefusalCode
    message: str
    path: str | None = None


Effect = Deliver | Answer | WakeAt | Expired | Refuse
Decision = tuple[Room, tuple[Effect, ...]]


# --- decide --------------------------------------------------------------------------------------


def decide(room: Room, message: Message, now: float) -> Decision:
    """Apply `message` at `now`; the effects end with a `WakeAt` whenever the timer must move."""
    effects: list[Effect] = []
    room.now = now
    match message:
        case Join():
            _join(room, message, now, effects)
        case Set(connection, fields):
            user_id = room.devices.get(connection)
            if user_id is None:
                effects.append(Refuse("not_present", "Join this ecosystem first."))
            elif (refusal := _check_fields(room, fields)) is not None:
                effects.append(refusal)
            else:
                member = room.members[user_id]
                _touch(room, connection, now)
                _apply(room, member, fields)
                effects.append(Answer(_view(room, member)))
        case Leave(connection):
            _drop_device(room, connection)
            _release(room, connection)
        case Heartbeat(connection):
            if connection not in room.alive:
                effects.append(Refuse("not_present", "Not in this ecosystem (any more)."))
            else:
                _touch(room, connection, now)
        case Tick():
            room.wake_at = None  # this was the wake-up: whatever comes next is asked for anew
            expired = _expire(room, now)
            if expired:
                effects.append(Expired(expired))
            if room.flush_at is not None and (expired or room.flush_at <= now):
                _flush(room, effects)
        case Subscribe(connection, person, query):
            refusal = _check_query(room, query)
            if refusal is not None:
                effects.append(refusal)
            else:
                _subscribe(room, connection, person, query, now, effects)
        case Unsubscribe(connection):
            _unwatch(room, connection)
            _release(room, connection)
        case BlocksChanged(a, b, blocked):
            _change_block(room, a, b, blocked)
            _flush(room, effects)  # a block bites at once, not a tick later (MOD-2)
        case QuarantineChanged(user_id, shadow):
            known = room.people.get(user_id)
            if known is not None and known.shadow_quarantined != shadow:
                _set_person(room, replace(known, shadow_quarantined=shadow))
                _flush(room, effects)
        case Expel(user_id):
            expelled = room.members.get(user_id)
            for connection in list(expelled.devices) if expelled is not None else ():
                _drop_device(room, connection)
                _release(room, connection)
            for connection in list(room.watching.get(user_id, ())):
                _unwatch(room, connection)
                _release(room, connection)
            if expelled is not None:
                _flush(room, effects)  # gone at once, like a block
        case Query(viewer, query):
            refusal = _check_query(room, query)
            effects.append(refusal or Answer(_page(room, viewer, query, _Groups())))
    wake = _next_wake(room)
    if wake != room.wake_at:
        room.wake_at = wake
        effects.append(WakeAt(wake))
    return room, tuple(effects)


# --- joining, setting, leaving -------------------------------------------------------------------


def _join(room: Room, join: Join, now: float, effects: list[Effect]) -> None:
    refusal = _check_fields(room, join.fields)
    if refusal is not None:
        effects.append(refusal)
        return
    person = join.person
    owner = room.devices.get(join.connection)
    if owner is not None and owner != person.user_id:
        _drop_device(room, join.connection)  # a socket reused by another account
    _set_person(room, person)
    member = room.members.get(person.user_id)
    if member is None:
        room.seq += 1
        member = Member(person.user_id, join.presence_id, join.fields.presence_mode, now, room.seq)
        room.members[person.user_id] = member
        _mark(room, person.user_id)
    if join.connection not in member.devices:
        room.devices[join.connection] = person.user_id
        member.devices[join.connection] = now
        if len(member.devices) > room.limits.max_devices:
            oldest = min(member.devices, key=member.devices.__getitem__)
            _drop_device(room, oldest)
            _release(room, oldest)
        _changed(room, member)
    _touch(room, join.connection, now)
    _apply(room, member, join.fields)
    effects.append(Answer(_view(room, member)))


def _check_fields(room: Room, fields: PresenceSet) -> Refuse | None:
    if fields.presence_mode not in room.modes:
        return Refuse(
            "wrong_ecosystem",
            f"Mode `{fields.presence_mode}` is not in the {room.ecosystem} ecosystem.",
            "presence_mode",
        )
    limits = room.limits
    if fields.tags is not None and len(fields.tags) > limits.max_tags:
        return Refuse("invalid_fields", f"At most {limits.max_tags} tags.", "tags")
    if fields.capabilities is not None and len(fields.capabilities) > limits.max_capabilities:
        return Refuse(
            "invalid_fields", f"At most {limits.max_capabilities} capabilities.", "capabilities"
        )
    return None


def _apply(room: Room, member: Member, fields: PresenceSet) -> None:
    before = (
        member.mode,
        member.is_camera_on,
        member.visibility,
        member.capabilities,
        member.tags,
        member.language,
    )
    member.mode = fields.presence_mode
    if fields.is_camera_on is not None:
        member.is_camera_on = fields.is_camera_on
    if fields.visibility is not None:
        member.visibility = fields.visibility
    if fields.capabilities is not None:
        member.capabilities = tuple(dict.fromkeys(fields.capabilities))
    if fields.tags is not None:
        member.tags = tuple(dict.fromkeys(fields.tags))
    if fields.language is not None:
        member.language = fields.language
    after = (
        member.mode,
        member.is_camera_on,
        member.visibility,
        member.capabilities,
        member.tags,
        member.language,
    )
    if after != before:
        _changed(room, member)


def _touch(room: Room, connection: str, now: float) -> None:
    room.alive[connection] = now
    room.alive.move_to_end(connection)
    user_id = room.devices.get(connection)
    if user_id is not None:
        member = room.members[user_id]
        member.devices[connection] = now
        member.view = None  # its last_seen_at moved; not a change worth a diff


def _drop_device(room: Room, connection: str) -> None:
    user_id = room.devices.pop(connection, None)
    if user_id is None:
        return
    member = room.members[user_id]
    del member.devices[connection]
    if member.devices:
        _changed(room, member)
        return
    del room.members[user_id]
    _mark(room, user_id)
    _forget_if_gone(room, user_id)


def _release(room: Room, connection: str) -> None:
    """Stop timing a connection that holds nothing here any more."""
    if connection not in room.devices and connection not in room.watchers:
        room.alive.pop(connection, None)


def _expire(room: Room, now: float) -> tuple[str, ...]:
    ttl_s = room.limits.ttl_s
    gone: list[str] = []
    alive = room.alive
    while alive:
        connection, last = next(iter(alive.items()))
        if last + ttl_s > now:
            break
        del alive[connection]
        user_id = room.devices.get(connection)
        if user_id is not None:
            member = room.members[user_id]
            _drop_device(room, connection)
            if user_id not in room.members:
                gone.append(member.presence_id)
        _unwatch(room, connection)
    return tuple(gone)


# --- people and their relations ------------------------------------------------------------------


def _set_person(room: Room, person: Person) -> None:
    """Record who `person` is now; if that changes whom they see or who sees them, recheck."""
    old = room.people.get(person.user_id)
    if old == person:
        return
    _store_person(room, person)
    member = room.members.get(person.user_id)
    if member is not None and (
        old is None or (old.handle, old.quarantined_new) != (person.handle, person.quarantined_new)
    ):
        _changed(room, member)
    if old is not None:
        _mark(room, person.user_id)
        for connection in room.watching.get(person.user_id, ()):
            room.watchers[connection].recheck_all = True
            _schedule(room)


def _store_person(room: Room, person: Person) -> None:
    """Keep `people` and its reverse block index (`blocked_by`) in step."""
    user_id = person.user_id
    old = room.people.get(user_id)
    room.people[user_id] = person
    before = old.blocked if old is not None else frozenset()
    for other in before - person.blocked:
        _unindex_block(room, user_id, other)
    for other in person.blocked - before:
        room.blocked_by.setdefault(other, set()).add(user_id)


def _unindex_block(room: Room, user_id: str, other: str) -> None:
    listers = room.blocked_by.get(other)
    if listers is not None:
        listers.discard(user_id)
        if not listers:
            del room.blocked_by[other]


def _change_block(room: Room, a: str, b: str, blocked: bool) -> None:
    for one, other in ((a, b), (b, a)):
        person = room.people.get(one)
        if person is None:
            continue
        others = person.blocked | {other} if blocked else person.blocked - {other}
        _store_person(room, replace(person, blocked=others))
        _mark(room, one)


def _forget_if_gone(room: Room, user_id: str) -> None:
    if user_id not in room.members and not room.watching.get(user_id):
        person = room.people.pop(user_id, None)
        room.watching.pop(user_id, None)
        for other in person.blocked if person is not None else ():
            _unindex_block(room, user_id, other)


# --- change tracking -----------------------------------------------------------------------------


def _changed(room: Room, member: Member) -> None:
    member.version += 1
    member.view = None
    _mark(room, member.user_id)


def _mark(room: Room, user_id: str) -> None:
    if room.watchers:
        room.dirty.add(user_id)
        _schedule(room)


def _schedule(room: Room) -> None:
    if room.flush_at is None and room.watchers:
        room.flush_at = room.now + room.limits.tick_s


def _next_wake(room: Room) -> float | None:
    wake = room.flush_at
    if room.alive:
        deadline = next(iter(room.alive.values())) + room.limits.ttl_s
        sweep = room.limits.sweep_s
        # On the sweep grid, so expiries close together are checked in one wake; never early.
        on_grid = max(deadline, math.ceil(deadline / sweep) * sweep) if sweep > 0 else deadline
        wake = on_grid if wake is None else min(wake, on_grid)
    return wake


# --- subscriptions and flushing ------------------------------------------------------------------


def _subscribe(
    room: Room,
    connection: str,
    person: Person,
    query: PresenceQuery,
    now: float,
    effects: list[Effect],
) -> None:
    previous = room.watchers.get(connection)
    if previous is not None and previous.user_id != person.user_id:
        _unwatch(room, connection)
    _set_person(room, person)
    watcher = Watcher(connection, person.user_id, query)
    room.watchers[connection] = watcher
    room.watching.setdefault(person.user_id, set()).add(connection)
    if len(room.watchers) == 1:
        room.large = len(room.members) > room.limits.large_room_threshold
    _touch(room, connection, now)
    effects.append(Deliver(connection, _snapshot(room, watcher, _Groups())))


def _unwatch(room: Room, connection: str) -> None:
    watcher = room.watchers.pop(connection, None)
    if watcher is None:
        return
    connections = room.watching.get(watcher.user_id)
    if connections is not None:
        connections.discard(connection)
        if not connections:
            del room.watching[watcher.user_id]
    _forget_if_gone(room, watcher.user_id)
    if not room.watchers:
        room.dirty.clear()
        room.flush_at = None


def _snapshot(room: Room, watcher: Watcher, groups: _Groups) -> PresenceSnapshot:
    large = len(room.members) > room.limits.large_room_threshold
    viewer = room.people[watcher.user_id]
    page, listed = _page_and_members(room, viewer, watcher.query, groups, whole=not large)
    watcher.recheck_all = False
    if large:
        watcher.seen = {}
        watcher.sent = _signature(page, listed)
    else:
        watcher.seen = {m.user_id: (m.presence_id, m.version) for m in listed}
        watcher.sent = None
    return PresenceSnapshot(room=room.ecosystem, page=page, paged=large)


def _flush(room: Room, effects: list[Effect]) -> None:
    room.flush_at = None
    dirty, room.dirty = room.dirty, set()
    large = len(room.members) > room.limits.large_room_threshold
    groups = _Groups()
    if large != room.large:
        # Each watcher's view changes shape: start it again from a snapshot.
        room.large = large
        for watcher in room.watchers.values():
            effects.append(Deliver(watcher.connection, _snapshot(room, watcher, groups)))
        return
    for watcher in room.watchers.values():
        viewer = room.people[watcher.user_id]
        if large:
            watcher.recheck_all = False
            page, listed = _page_and_members(room, viewer, watcher.query, groups, whole=False)
            signature = _signature(page, listed)
            if signature != watcher.sent:
                watcher.sent = signature
                update = PresenceUpdate(room=room.ecosystem, total=page.total, page=page)
                effects.append(Deliver(watcher.connection, update))
        else:
            diff = _diff(room, watcher, viewer, dirty)
            if diff is not None:
                effects.append(Deliver(watcher.connection, diff))


def _diff(room: Room, watcher: Watcher, viewer: Person, dirty: set[str]) -> PresenceUpdate | None:
    candidates: Iterable[str] = dirty
    if watcher.recheck_all:
        candidates = room.members.keys() | watcher.seen.keys()
        watcher.recheck_all = False
    members = room.members
    filters = watcher.query.filters
    seen = watcher.seen
    joined: list[PresenceMember] = []
    changed: list[PresenceMember] = []
    left: list[str] = []
    for user_id in sorted(candidates, key=lambda u: members[u].seq if u in members else 0):
        member = members.get(user_id)
        had = seen.get(user_id)
        shows = False
        if member is not None:
            person = room.people[user_id]
            shows = visible_to(viewer, person, member.visibility) and _matches(
                member, person, filters
            )
        if had is not None and (member is None or not shows or had[0] != member.presence_id):
            left.append(had[0])
            del seen[user_id]
            had = None
        if member is None or not shows:
            continue
        if had is None:
            joined.append(_view(room, member))
        elif had[1] != member.version:
            changed.append(_view(room, member))
        else:
            continue
        seen[user_id] = (member.presence_id, member.version)
    if not (joined or changed or left):
        return None
    return PresenceUpdate(
        room=room.ecosystem, total=len(seen), joined=joined, changed=changed, left=left
    )


def _signature(page: PresencePage, listed: list[Member]) -> tuple[object, ...]:
    return (page.total, page.next_cursor, tuple((m.presence_id, m.version) for m in listed))


# --- the one query (PRS-3, OPS-4) ----------------------------------------------------------------


def _check_query(room: Room, query: PresenceQuery) -> Refuse | None:
    if query.ecosystem != room.ecosystem:
        return Refuse("wrong_ecosystem", f"This is the {room.ecosystem} ecosystem.", "ecosystem")
    filters = query.filters
    limits = room.limits
    if query.policy == "party" and filters != PresenceFilters():
        return Refuse("invalid_query", "The party list takes no filters; the grid does.", "filters")
    if len(filters.tags) > limits.max_tags:
        return Refuse("invalid_query", f"At most {limits.max_tags} tags.", "filters.tags")
    foreign = [mode for mode in filters.modes if mode not in room.modes]
    if foreign:
        return Refuse(
            "invalid_query",
            f"Mode `{foreign[0]}` is not in the {room.ecosystem} ecosystem.",
            "filters.modes",
        )
    if query.limit is not None and query.limit > limits.page_size_max:
        return Refuse("invalid_query", f"At most {limits.page_size_max} per page.", "limit")
    if query.cursor is not None and _decode_cursor(query.policy, query.cursor) is None:
        return Refuse("invalid_query", "This cursor belongs to another query.", "cursor")
    return None


def _matches(member: Member, person: Person, filters: PresenceFilters) -> bool:
    if filters.tags and not any(tag in member.tags for tag in filters.tags):
        return False
    if filters.language is not None and not _speaks(member.language, filters.language):
        return False
    if filters.camera_on is not None and member.is_camera_on != filters.camera_on:
        return False
    if filters.new and not person.quarantined_new:
        return False
    return not filters.modes or member.mode in filters.modes


def _speaks(language: str | None, wanted: str) -> bool:
    if language is None:
        return False
    return language == wanted or ("-" not in wanted and language.startswith(wanted + "-"))


Key = tuple[int, ...]


def _key(policy: str, member: Member, wanted_tags: frozenset[str]) -> Key:
    """The order of a list: the party's is arrival; the grid ranks members sharing more of the
    wanted tags first, then cameras on. Arrival breaks ties, so every key is unique and a cursor
    (the last key shown) pages without repeats or gaps among members that stay as they were."""
    if policy == "party":
        return (member.seq,)
    overlap = sum(1 for tag in member.tags if tag in wanted_tags)
    return (-overlap, 0 if member.is_camera_on else 1, member.seq)


def _encode_cursor(policy: str, key: Key) -> str:
    return ":".join((policy[0], *map(str, key)))


def _decode_cursor(policy: str, cursor: str) -> Key | None:
    head, *parts = cursor.split(":")
    if head != policy[0] or len(parts) != (1 if policy == "party" else 3):
        return None
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        return None


@dataclass(slots=True)
class _Ordered:
    """Everyone a query could list to some viewer of one quarantine class, in list order."""

    keys: list[Key]
    members: list[Member]
    positions: dict[str, int]


class _Groups:
    """Ordered lists shared by every watcher with the same query within one flush: their pages
    differ only by whom each viewer may not see (themselves, their blocks), few by nature."""

    __slots__ = ("_lists",)

    def __init__(self) -> None:
        self._lists: dict[tuple[object, ...], _Ordered] = {}

    def ordered(self, room: Room, query: PresenceQuery, shadow: bool) -> _Ordered:
        filters = query.filters
        group = (
            query.policy,
            tuple(filters.tags),
            filters.language,
            filters.camera_on,
            filters.new,
            tuple(filters.modes),
            shadow,
        )
        found = self._lists.get(group)
        if found is None:
            found = self._lists[group] = _order(room, query, shadow)
        return found


def _order(room: Room, query: PresenceQuery, shadow: bool) -> _Ordered:
    filters = query.filters
    wanted = frozenset(filters.tags)
    entries: list[tuple[Key, Member]] = []
    for member in room.members.values():
        person = room.people[member.user_id]
        if member.visibility == "hidden" or (person.shadow_quarantined and not shadow):
            continue
        if _matches(member, person, filters):
            entries.append((_key(query.policy, member, wanted), member))
    if query.policy != "party":  # members are kept in arrival order already
        entries.sort(key=lambda entry: entry[0])
    members = [member for _, member in entries]
    return _Ordered(
        keys=[key for key, _ in entries],
        members=members,
        positions={member.user_id: index for index, member in enumerate(members)},
    )


def _page(room: Room, viewer: Person, query: PresenceQuery, groups: _Groups) -> PresencePage:
    return _page_and_members(room, viewer, query, groups, whole=False)[0]


def _page_and_members(
    room: Room, viewer: Person, query: PresenceQuery, groups: _Groups, *, whole: bool
) -> tuple[PresencePage, list[Member]]:
    """The viewer's page of the query (or, `whole`, everything it matches from the start)."""
    ordered = groups.ordered(room, query, viewer.shadow_quarantined)
    unseen = {viewer.user_id} | viewer.blocked | room.blocked_by.get(viewer.user_id, set())
    total = len(ordered.members) - sum(1 for user_id in unseen if user_id in ordered.positions)
    start = 0
    if query.cursor is not None and not whole:
        cursor = _decode_cursor(query.policy, query.cursor)
        if cursor is not None:
            start = bisect.bisect_right(ordered.keys, cursor)
    limit = None if whole else _limit(room.limits, query)
    listed: list[Member] = []
    last_key: Key = ()
    next_cursor: str | None = None
    for index in range(start, len(ordered.members)):
        member = ordered.members[index]
        if not visible_to(viewer, room.people[member.user_id], member.visibility):
            continue
        if limit is not None and len(listed) == limit:
            next_cursor = _encode_cursor(query.policy, last_key)  # more follow
            break
        listed.append(member)
        last_key = ordered.keys[index]
    page = PresencePage(
        ecosystem=room.ecosystem,
        members=[_view(room, member) for member in listed],
        total=total,
        next_cursor=next_cursor,
    )
    return page, listed


def _limit(limits: RoomLimits, query: PresenceQuery) -> int:
    if query.limit is not None:
        return query.limit
    return limits.party_page_size if query.policy == "party" else limits.grid_page_size


def _view(room: Room, member: Member) -> PresenceMember:
    if member.view is None:
        person = room.people[member.user_id]
        origin = room.origin
        member.view = PresenceMember(
            presence_id=member.presence_id,
            user_id=member.user_id,
            handle=person.handle,
            presence_mode=member.mode,
            is_camera_on=member.is_camera_on,
            last_seen_at=origin + timedelta(seconds=max(member.devices.values())),
            joined_at=origin + timedelta(seconds=member.joined_at),
            visibility=member.visibility,
            capabilities=list(member.capabilities),
            tags=list(member.tags),
            language=member.language,
            devices=len(member.devices),
            quarantined_new=person.quarantined_new,
        )
    return member.view
