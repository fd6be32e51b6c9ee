"""Joining, setting fields and leaving: a connection is a device of its user's one presence
(OPS-5), and a member's fields stay within the config's caps and its room's ecosystem."""

from __future__ import annotations

from operator import attrgetter

from vvtv.contracts.presence import PresenceSet
from vvtv.domain.presence.messages import Answer
from vvtv.domain.presence.messages import Effect
from vvtv.domain.presence.messages import Join
from vvtv.domain.presence.messages import Refuse
from vvtv.domain.presence.room import Member
from vvtv.domain.presence.room import Room
from vvtv.domain.presence.room import changed
from vvtv.domain.presence.room import mark
from vvtv.domain.presence.room import release
from vvtv.domain.presence.room import touch
from vvtv.domain.presence.room import view
from vvtv.domain.presence.visibility import forget_if_gone
from vvtv.domain.presence.visibility import set_person


def join(room: Room, message: Join, now: float, effects: list[Effect]) -> None:
    refusal = check_fields(room, message.fields)
    if refusal is not None:
        effects.append(refusal)
        return
    person = message.person
    owner = room.devices.get(message.connection)
    if owner is not None and owner != person.user_id:
        drop_device(room, message.connection)  # a socket reused by another account
    set_person(room, person)
    member = room.members.get(person.user_id)
    if member is None:
        room.seq += 1
        member = Member(
            person.user_id, message.presence_id, message.fields.presence_mode, now, room.seq
        )
        room.members[person.user_id] = member
        mark(room, person.user_id)
    if message.connection not in member.devices:
        room.devices[message.connection] = person.user_id
        member.devices[message.connection] = now
        if len(member.devices) > room.limits.max_devices:
            oldest = min(member.devices, key=member.devices.__getitem__)
            drop_device(room, oldest)
            release(room, oldest)
        changed(room, member)
    touch(room, message.connection, now)
    apply(room, member, message.fields)
    effects.append(Answer(view(room, member)))


def check_fields(room: Room, fields: PresenceSet) -> Refuse | None:
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


# What a `Set` may change: the same before and after means there is nothing to send.
_settable = attrgetter("mode", "is_camera_on", "visibility", "capabilities", "tags", "language")


def apply(room: Room, member: Member, fields: PresenceSet) -> None:
    before = _settable(member)
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
    if _settable(member) != before:
        changed(room, member)


def drop_device(room: Room, connection: str) -> None:
    user_id = room.devices.pop(connection, None)
    if user_id is None:
        return
    member = room.members[user_id]
    del member.devices[connection]
    if member.devices:
        changed(room, member)
        return
    del room.members[user_id]
    mark(room, user_id)
    forget_if_gone(room, user_id)
