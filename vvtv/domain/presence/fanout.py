"""Watchers and the batched fan-out (PRS-4): a subscription starts from a snapshot, then each
flush sends a watcher at most one update: a diff, or above `large_room_threshold` the count and
its page."""

from __future__ import annotations

from collections.abc import Iterable

from vvtv.contracts.events import PresenceSnapshot, PresenceUpdate
from vvtv.contracts.presence import PresenceMember, PresencePage, PresenceQuery
from vvtv.domain.presence.messages import Deliver, Effect
from vvtv.domain.presence.query import Groups, matches, page_and_members
from vvtv.domain.presence.room import Member, Person, Room, Watcher, seen_as, touch, view
from vvtv.domain.presence.visibility import forget_if_gone, set_person, visible_to


def subscribe(
    room: Room,
    connection: str,
    person: Person,
    query: PresenceQuery,
    now: float,
    effects: list[Effect],
) -> None:
    previous = room.watchers.get(connection)
    if previous is not None and previous.user_id != person.user_id:
        unwatch(room, connection)
    set_person(room, person)
    watcher = Watcher(connection, person.user_id, query)
    room.watchers[connection] = watcher
    room.watching.setdefault(person.user_id, set()).add(connection)
    if len(room.watchers) == 1:
        room.large = len(room.members) > room.limits.large_room_threshold
    touch(room, connection, now)
    effects.append(Deliver(connection, _snapshot(room, watcher, Groups())))


def unwatch(room: Room, connection: str) -> None:
    watcher = room.watchers.pop(connection, None)
    if watcher is None:
        return
    connections = room.watching.get(watcher.user_id)
    if connections is not None:
        connections.discard(connection)
        if not connections:
            del room.watching[watcher.user_id]
    forget_if_gone(room, watcher.user_id)
    if not room.watchers:
        room.dirty.clear()
        room.flush_at = None


def _snapshot(room: Room, watcher: Watcher, groups: Groups) -> PresenceSnapshot:
    large = len(room.members) > room.limits.large_room_threshold
    viewer = room.people[watcher.user_id]
    page, listed = page_and_members(room, viewer, watcher.query, groups, whole=not large)
    watcher.recheck_all = False
    if large:
        watcher.seen = {}
        watcher.sent = _signature(page, listed)
    else:
        watcher.seen = {m.user_id: (m.presence_id, m.version) for m in listed}
        watcher.sent = None
    return PresenceSnapshot(room=room.ecosystem, page=page, paged=large)


def flush(room: Room, effects: list[Effect]) -> None:
    room.flush_at = None
    dirty, room.dirty = room.dirty, set()
    large = len(room.members) > room.limits.large_room_threshold
    groups = Groups()
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
            page, listed = page_and_members(room, viewer, watcher.query, groups, whole=False)
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
            shows = visible_to(viewer, person, seen_as(room, member)) and matches(
                member, person, filters
            )
        if had is not None and (member is None or not shows or had[0] != member.presence_id):
            left.append(had[0])
            del seen[user_id]
            had = None
        if member is None or not shows:
            continue
        if had is None:
            joined.append(view(room, member))
        elif had[1] != member.version:
            changed.append(view(room, member))
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
