"""Watchers and the batched fan-out (PRS-4): a subscription starts from a snapshot, then each
flush sends a watcher at most one update: a diff, or above `large_room_threshold` its page and the
count, or only the count when its page did not change. Watchers shown the same page get the very
same update, delivered one after another, so it is built (and encoded) once for all of them."""

from __future__ import annotations

from collections.abc import Iterable

from vvtv.contracts.events import PresenceSnapshot
from vvtv.contracts.events import PresenceUpdate
from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresenceQuery
from vvtv.domain.presence.messages import Deliver
from vvtv.domain.presence.messages import Effect
from vvtv.domain.presence.query import Groups
from vvtv.domain.presence.query import Shown
from vvtv.domain.presence.query import matches
from vvtv.domain.presence.query import page_and_members
from vvtv.domain.presence.query import query_group
from vvtv.domain.presence.query import shown_page
from vvtv.domain.presence.room import Person
from vvtv.domain.presence.room import Room
from vvtv.domain.presence.room import Watcher
from vvtv.domain.presence.room import seen_as
from vvtv.domain.presence.room import touch
from vvtv.domain.presence.room import view
from vvtv.domain.presence.visibility import forget_if_gone
from vvtv.domain.presence.visibility import set_person
from vvtv.domain.presence.visibility import visible_to


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
    watcher = Watcher(connection, person.user_id, query, query_group(query))
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
    watcher.recheck_all = False
    if large:
        shown = shown_page(room, viewer, watcher.query, groups, watcher.group)
        watcher.seen = {}
        watcher.sent = (shown.listing, shown.page.total)
        return PresenceSnapshot(room=room.ecosystem, page=shown.page, paged=True)
    page, listed = page_and_members(room, viewer, watcher.query, groups, whole=True)
    watcher.seen = {m.user_id: (m.presence_id, m.version) for m in listed}
    watcher.sent = None
    return PresenceSnapshot(room=room.ecosystem, page=page, paged=False)


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
    if large:
        _flush_pages(room, groups, effects)
        return
    for watcher in room.watchers.values():
        diff = _diff(room, watcher, room.people[watcher.user_id], dirty)
        if diff is not None:
            effects.append(Deliver(watcher.connection, diff))


def _flush_pages(room: Room, groups: Groups, effects: list[Effect]) -> None:
    """Each watcher's page and count, or only its count, when they changed; one update object per
    distinct page and count, its watchers' deliveries together."""
    pages: dict[int, tuple[PresenceUpdate, list[str]]] = {}  # by id(Shown): kept alive by `shown`
    counts: dict[int, tuple[PresenceUpdate, list[str]]] = {}  # by total
    shown: list[Shown] = []
    for watcher in room.watchers.values():
        watcher.recheck_all = False
        viewer = room.people[watcher.user_id]
        showing = shown_page(room, viewer, watcher.query, groups, watcher.group)
        total = showing.page.total
        sent = watcher.sent
        if sent is not None and sent[0] == showing.listing:
            if sent[1] == total:
                continue
            count = counts.get(total)
            if count is None:
                count = counts[total] = (PresenceUpdate(room=room.ecosystem, total=total), [])
            count[1].append(watcher.connection)
        else:
            whole = pages.get(id(showing))
            if whole is None:
                update = PresenceUpdate(room=room.ecosystem, total=total, page=showing.page)
                whole = pages[id(showing)] = (update, [])
                shown.append(showing)
            whole[1].append(watcher.connection)
        watcher.sent = (showing.listing, total)
    for update, connections in (*pages.values(), *counts.values()):
        effects.extend(Deliver(connection, update) for connection in connections)


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
