"""Presence rooms (PRS-1..5, OPS-4/5, MOD-2/4/6) as a pure `decide(room, message, now)`.

One room per ecosystem key (`party`, `live_public`, `random`, ...): a member joins the room of
its mode's ecosystem and every query runs inside one room, so Party presence cannot reach Live
Public or the Random queue (INV-5, MOD-7). A room refuses a mode of another ecosystem.

A connection (one tab's socket) is a device of its user's one presence (OPS-5) and may watch the
room; heartbeats keep both alive, and a connection silent for `ttl_s` is dropped at the next sweep
(PRS-5). A reconnect within the TTL finds the presence still there: same presence id, nothing for
watchers to see. Changes are not sent as they happen: they mark members dirty, and one flush per
`tick_s` turns them into at most one `presence.update` per watcher (PRS-4). Above
`large_room_threshold` members a watcher gets the count and its page instead of each join/leave.
"""

from __future__ import annotations

import math
from dataclasses import replace

from vvtv.domain.presence.fanout import flush
from vvtv.domain.presence.fanout import subscribe
from vvtv.domain.presence.fanout import unwatch
from vvtv.domain.presence.membership import apply
from vvtv.domain.presence.membership import check_fields
from vvtv.domain.presence.membership import drop_device
from vvtv.domain.presence.membership import join
from vvtv.domain.presence.messages import Answer
from vvtv.domain.presence.messages import BlocksChanged
from vvtv.domain.presence.messages import Effect
from vvtv.domain.presence.messages import Expel
from vvtv.domain.presence.messages import Expired
from vvtv.domain.presence.messages import Heartbeat
from vvtv.domain.presence.messages import Heartbeats
from vvtv.domain.presence.messages import Join
from vvtv.domain.presence.messages import Leave
from vvtv.domain.presence.messages import Lookup
from vvtv.domain.presence.messages import Message
from vvtv.domain.presence.messages import QuarantineChanged
from vvtv.domain.presence.messages import Query
from vvtv.domain.presence.messages import Refuse
from vvtv.domain.presence.messages import Set
from vvtv.domain.presence.messages import Subscribe
from vvtv.domain.presence.messages import Tick
from vvtv.domain.presence.messages import Unsubscribe
from vvtv.domain.presence.query import Groups
from vvtv.domain.presence.query import check_query
from vvtv.domain.presence.query import query_page
from vvtv.domain.presence.room import Room
from vvtv.domain.presence.room import release
from vvtv.domain.presence.room import touch
from vvtv.domain.presence.room import view
from vvtv.domain.presence.visibility import cameras_seen
from vvtv.domain.presence.visibility import change_block
from vvtv.domain.presence.visibility import set_person
from vvtv.domain.timer import WakeAt

Decision = tuple[Room, tuple[Effect, ...]]


def decide(room: Room, message: Message, now: float) -> Decision:
    """Apply `message` at `now`; the effects end with a `WakeAt` whenever the timer must move."""
    effects: list[Effect] = []
    room.now = now
    match message:
        case Join():
            join(room, message, now, effects)
        case Set(connection, fields):
            user_id = room.devices.get(connection)
            if user_id is None:
                effects.append(Refuse("not_present", "Join this ecosystem first."))
            elif (refusal := check_fields(room, fields)) is not None:
                effects.append(refusal)
            else:
                member = room.members[user_id]
                touch(room, connection, now)
                apply(room, member, fields)
                effects.append(Answer(view(room, member)))
        case Leave(connection):
            drop_device(room, connection)
            release(room, connection)
        case Heartbeat(connection):
            if connection not in room.alive:
                effects.append(Refuse("not_present", "Not in this ecosystem (any more)."))
            else:
                touch(room, connection, now)
        case Heartbeats(connections):
            absent = frozenset(c for c in connections if c not in room.alive)
            for connection in connections:
                if connection not in absent:
                    touch(room, connection, now)
            effects.append(Answer(absent))
        case Tick():
            room.wake_at = None  # this was the wake-up: whatever comes next is asked for anew
            expired = _expire(room, now)
            if expired:
                effects.append(Expired(expired))
            if room.flush_at is not None and (expired or room.flush_at <= now):
                flush(room, effects)
        case Subscribe(connection, person, query):
            refusal = check_query(room, query)
            if refusal is not None:
                effects.append(refusal)
            else:
                subscribe(room, connection, person, query, now, effects)
        case Unsubscribe(connection):
            unwatch(room, connection)
            release(room, connection)
        case BlocksChanged(a, b, blocked):
            change_block(room, a, b, blocked)
            flush(room, effects)  # a block bites at once, not a tick later (MOD-2)
        case QuarantineChanged(user_id, shadow):
            known = room.people.get(user_id)
            if known is not None and known.shadow_quarantined != shadow:
                set_person(room, replace(known, shadow_quarantined=shadow))
                flush(room, effects)
        case Expel(user_id):
            expelled = room.members.get(user_id)
            for connection in list(expelled.devices) if expelled is not None else ():
                drop_device(room, connection)
                release(room, connection)
            for connection in list(room.watching.get(user_id, ())):
                unwatch(room, connection)
                release(room, connection)
            if expelled is not None:
                flush(room, effects)  # gone at once, like a block
        case Query(viewer, query):
            refusal = check_query(room, query)
            effects.append(refusal or Answer(query_page(room, viewer, query, Groups())))
        case Lookup(viewer, user_ids):
            effects.append(Answer(cameras_seen(room, viewer, user_ids)))
    wake = _next_wake(room)
    if wake != room.wake_at:
        room.wake_at = wake
        effects.append(WakeAt(wake))
    return room, tuple(effects)


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
            drop_device(room, connection)
            if user_id not in room.members:
                gone.append(member.presence_id)
        unwatch(room, connection)
    return tuple(gone)


def _next_wake(room: Room) -> float | None:
    wake = room.flush_at
    if room.alive:
        deadline = next(iter(room.alive.values())) + room.limits.ttl_s
        sweep = room.limits.sweep_s
        # On the sweep grid, so expiries close together are checked in one wake; never early.
        on_grid = max(deadline, math.ceil(deadline / sweep) * sweep) if sweep > 0 else deadline
        wake = on_grid if wake is None else min(wake, on_grid)
    return wake
