"""MOD-2, property: under any sequence of joins, leaves, field changes, subscriptions, blocks and
unblocks, no one ever holds someone they are blocked with in their view (snapshot, diff or page),
and once nothing is pending every watcher's view is exactly whom it may see."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.unit.presence.scene import Scene
from vvtv.contracts.events import PresenceSnapshot
from vvtv.contracts.events import PresenceUpdate
from vvtv.contracts.presence import PresencePage
from vvtv.contracts.presence import PresenceQuery
from vvtv.contracts.presence import PresenceSet
from vvtv.domain.presence.messages import BlocksChanged
from vvtv.domain.presence.messages import Deliver
from vvtv.domain.presence.messages import Heartbeat
from vvtv.domain.presence.messages import Join
from vvtv.domain.presence.messages import Leave
from vvtv.domain.presence.messages import Query
from vvtv.domain.presence.messages import Set
from vvtv.domain.presence.messages import Subscribe
from vvtv.domain.presence.messages import Tick
from vvtv.domain.presence.messages import Unsubscribe
from vvtv.domain.presence.room import Person

pytestmark = pytest.mark.req("MOD-2")

USERS = ("ana", "bob", "cy", "dee", "eve")
users = st.sampled_from(USERS)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("join"), users, st.integers(0, 1)),
        st.tuples(st.just("leave"), users, st.integers(0, 1)),
        st.tuples(st.just("hide"), users, st.booleans()),
        st.tuples(st.just("watch"), users, st.sampled_from(["party", "grid"])),
        st.tuples(st.just("unwatch"), users, st.just(0)),
        st.tuples(st.just("block"), users, users),
        st.tuples(st.just("unblock"), users, users),
        st.tuples(st.just("wait"), st.just(""), st.floats(0.05, 1.0)),
        st.tuples(st.just("look"), users, st.sampled_from(["party", "grid"])),
    ),
    max_size=80,
)


class Model:
    """What the room should hold, kept independently of it."""

    def __init__(self) -> None:
        self.blocks: set[frozenset[str]] = set()
        self.devices: dict[str, set[str]] = {}  # user -> connections
        self.hidden: set[str] = set()
        self.views: dict[str, dict[str, str]] = {}  # watch connection -> presence id -> user
        self.watching: dict[str, str] = {}  # watch connection -> user

    def blocked(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.blocks

    def person(self, user: str) -> Person:
        others = frozenset(u for u in USERS if u != user and self.blocked(user, u))
        return Person(user_id=user, handle=user, blocked=others)

    def visible(self, viewer: str) -> set[str]:
        return {
            u
            for u, connections in self.devices.items()
            if connections and u != viewer and u not in self.hidden and not self.blocked(viewer, u)
        }

    def apply(self, connection: str, event: PresenceSnapshot | PresenceUpdate) -> None:
        view = self.views.setdefault(connection, {})
        page: PresencePage | None = event.page
        if page is not None:
            view.clear()
        for member in [*(page.members if page else ()), *getattr(event, "joined", ())]:
            view[member.presence_id] = member.user_id
        for member in getattr(event, "changed", ()):
            view[member.presence_id] = member.user_id
        for presence_id in getattr(event, "left", ()):
            del view[presence_id]


@settings(max_examples=150, deadline=None)
@given(operations, st.sampled_from([2, 50]))
def test_no_blocked_pair_ever_sees_each_other(ops: list[tuple[str, str, Any]], large: int) -> None:
    scene = Scene(large_room_threshold=large, party_page_size=10, grid_page_size=10)
    model = Model()

    def send(message: Any) -> None:
        for effect in scene.send(message):
            if isinstance(effect, Deliver):
                model.apply(effect.connection, effect.event)
                viewer = model.watching[effect.connection]
                assert effect.event.page is None or effect.event.page.total == len(
                    model.visible(viewer)
                )
                if isinstance(effect.event, PresenceUpdate) and effect.event.page is None:
                    assert effect.event.total == len(model.visible(viewer))
        for connection, view in model.views.items():
            viewer = model.watching[connection]
            assert not any(model.blocked(viewer, u) for u in view.values()), (viewer, view)
            if not scene.room.dirty and len(scene.room.members) <= large:
                assert set(view.values()) == model.visible(viewer)

    for op, user, arg in ops:
        if op == "join":
            connection = f"{user}-{arg}"
            fields = PresenceSet(
                presence_mode="party", visibility="hidden" if user in model.hidden else "visible"
            )
            send(Join(connection, model.person(user), fields, f"p-{user}"))
            model.devices.setdefault(user, set()).add(connection)
        elif op == "leave":
            send(Leave(f"{user}-{arg}"))
            model.devices.get(user, set()).discard(f"{user}-{arg}")
        elif op == "hide" and model.devices.get(user):
            connection = next(iter(model.devices[user]))
            visibility = "hidden" if arg else "visible"
            send(Set(connection, PresenceSet(presence_mode="party", visibility=visibility)))
            (model.hidden.add if arg else model.hidden.discard)(user)
        elif op == "watch":
            connection = f"{user}-w"
            model.watching[connection] = user
            model.views.pop(connection, None)
            send(
                Subscribe(
                    connection, model.person(user), PresenceQuery(ecosystem="party", policy=arg)
                )
            )
        elif op == "unwatch":
            model.views.pop(f"{user}-w", None)
            send(Unsubscribe(f"{user}-w"))
        elif op in ("block", "unblock") and user != arg:
            (model.blocks.add if op == "block" else model.blocks.discard)(frozenset((user, arg)))
            send(BlocksChanged(user, arg, blocked=op == "block"))
        elif op == "wait":
            for connection in list(scene.room.alive):
                send(Heartbeat(connection))  # nobody expires here: that is another test
            scene.now += arg
            if scene.room.wake_at is not None and scene.room.wake_at <= scene.now:
                send(Tick())
        elif op == "look":
            effects = scene.send(
                Query(model.person(user), PresenceQuery(ecosystem="party", policy=arg))
            )
            [page] = [e.value for e in effects if hasattr(e, "value")]
            assert isinstance(page, PresencePage)
            listed = {m.user_id for m in page.members}
            assert listed == model.visible(user)
            assert page.total == len(listed)
