"""A presence room's state: its limits, members, watchers and the people behind them, and the
bookkeeping every change keeps in step (versions, dirty marks, the flush and the TTL clock).

`now` is seconds on the owner's timer clock; views are stamped with `origin + now` (wall time).
The room is a mutable value with one owner: `decide` changes it in place and returns it, because
copying a room of thousands of members for every heartbeat is the cost one owner exists to avoid.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresenceQuery
from vvtv.contracts.presence import Visibility
from vvtv.domain.values import frozen

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

    __slots__ = ("connection", "group", "query", "recheck_all", "seen", "sent", "user_id")

    def __init__(
        self, connection: str, user_id: str, query: PresenceQuery, group: tuple[object, ...]
    ) -> None:
        self.connection = connection
        self.user_id = user_id
        self.query = query
        self.group = group  # `query_group(query)`: whom it lists, in which order
        # Diff mode: what this watcher holds now, user id -> (presence id, version).
        self.seen: dict[str, tuple[str, int]] = {}
        # Large mode: what its page listed and the count, as last sent: to send nothing, or only
        # the count, when that is all that changed.
        self.sent: tuple[tuple[object, ...], int] | None = None
        # Whom this watcher may see changed for more than the dirty members (its own relations).
        self.recheck_all = False


@dataclass(slots=True, kw_only=True)
class Room:
    ecosystem: str
    modes: frozenset[str]  # the modes whose ecosystem this is: the only ones that may join
    # The modes whose policy lists their members (`presence_visible`); others are seen nowhere.
    listed: frozenset[str]
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


def new_room(
    ecosystem: str,
    modes: Iterable[str],
    limits: RoomLimits,
    origin: datetime,
    *,
    listed: Iterable[str],
) -> Room:
    return Room(
        ecosystem=ecosystem,
        modes=frozenset(modes),
        listed=frozenset(listed),
        limits=limits,
        origin=origin,
    )


def seen_as(room: Room, member: Member) -> Visibility:
    """How others may see `member`: as they set it, but hidden in a mode whose policy lists
    nobody (`presence_visible: false`), in every list, count and diff."""
    return member.visibility if member.mode in room.listed else "hidden"


@frozen
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


# --- change tracking -----------------------------------------------------------------------------


def changed(room: Room, member: Member) -> None:
    member.version += 1
    member.view = None
    mark(room, member.user_id)


def mark(room: Room, user_id: str) -> None:
    if room.watchers:
        room.dirty.add(user_id)
        schedule(room)


def schedule(room: Room) -> None:
    if room.flush_at is None and room.watchers:
        room.flush_at = room.now + room.limits.tick_s


# --- liveness: the TTL's clock -------------------------------------------------------------------


def touch(room: Room, connection: str, now: float) -> None:
    room.alive[connection] = now
    room.alive.move_to_end(connection)
    user_id = room.devices.get(connection)
    if user_id is not None:
        member = room.members[user_id]
        member.devices[connection] = now
        member.view = None  # its last_seen_at moved; not a change worth a diff


def release(room: Room, connection: str) -> None:
    """Stop timing a connection that holds nothing here any more."""
    if connection not in room.devices and connection not in room.watchers:
        room.alive.pop(connection, None)


# --- the wire view -------------------------------------------------------------------------------


def view(room: Room, member: Member) -> PresenceMember:
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
