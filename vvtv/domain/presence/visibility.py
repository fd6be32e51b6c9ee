"""Who sees whom, and the people records it reads (MOD-2, MOD-4, MOD-6, hidden).

Who sees whom is one rule, `visible_to`, under every list, count and diff: never yourself, never
a hidden member, never across a block either way (MOD-2), and a shadow-quarantined member only by
other shadow-quarantined viewers (MOD-4).
"""

from __future__ import annotations

from dataclasses import replace

from vvtv.contracts.presence import Visibility
from vvtv.domain.presence.room import Person
from vvtv.domain.presence.room import Room
from vvtv.domain.presence.room import changed
from vvtv.domain.presence.room import mark
from vvtv.domain.presence.room import schedule
from vvtv.domain.presence.room import seen_as


def visible_to(viewer: Person, member: Person, visibility: Visibility) -> bool:
    """Whether `viewer` may see `member` in any list, count or diff."""
    if viewer.user_id == member.user_id or visibility == "hidden":
        return False
    if member.user_id in viewer.blocked or viewer.user_id in member.blocked:
        return False
    return viewer.shadow_quarantined or not member.shadow_quarantined


def cameras_seen(room: Room, viewer: Person, user_ids: frozenset[str]) -> frozenset[str]:
    """Those of `user_ids` in the room with their camera on whom `viewer` may see (live tiles)."""
    seen = set()
    for user_id in user_ids:
        member = room.members.get(user_id)
        person = room.people.get(user_id)
        if member is None or person is None or not member.is_camera_on:
            continue
        if visible_to(viewer, person, seen_as(room, member)):
            seen.add(user_id)
    return frozenset(seen)


# --- people and their relations ------------------------------------------------------------------


def set_person(room: Room, person: Person) -> None:
    """Record who `person` is now; if that changes whom they see or who sees them, recheck."""
    old = room.people.get(person.user_id)
    if old == person:
        return
    _store_person(room, person)
    member = room.members.get(person.user_id)
    if member is not None and (
        old is None or (old.handle, old.quarantined_new) != (person.handle, person.quarantined_new)
    ):
        changed(room, member)
    if old is not None:
        mark(room, person.user_id)
        for connection in room.watching.get(person.user_id, ()):
            room.watchers[connection].recheck_all = True
            schedule(room)


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


def change_block(room: Room, a: str, b: str, blocked: bool) -> None:
    for one, other in ((a, b), (b, a)):
        person = room.people.get(one)
        if person is None:
            continue
        others = person.blocked | {other} if blocked else person.blocked - {other}
        _store_person(room, replace(person, blocked=others))
        mark(room, one)


def forget_if_gone(room: Room, user_id: str) -> None:
    if user_id not in room.members and not room.watching.get(user_id):
        person = room.people.pop(user_id, None)
        room.watching.pop(user_id, None)
        for other in person.blocked if person is not None else ():
            _unindex_block(room, user_id, other)
