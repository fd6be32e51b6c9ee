"""What watchers are sent, without trio: changes batched per tick, and above the threshold the
count and a page instead of each join (PRS-4)."""

from __future__ import annotations

import pytest

from tests.unit.presence.scene import Scene
from tests.unit.presence.scene import handles
from vvtv.contracts.events import PresenceSnapshot
from vvtv.contracts.events import PresenceUpdate
from vvtv.contracts.presence import PresenceSet
from vvtv.domain.presence.messages import Deliver
from vvtv.domain.presence.messages import Heartbeat
from vvtv.domain.presence.messages import Leave
from vvtv.domain.presence.messages import Set
from vvtv.domain.presence.messages import Tick
from vvtv.domain.presence.messages import Unsubscribe
from vvtv.domain.presence.room import statistics

# --- batching (PRS-4) ----------------------------------------------------------------------------


@pytest.mark.req("PRS-4")
def test_many_changes_within_a_tick_reach_a_watcher_as_one_update() -> None:
    scene = Scene()
    scene.subscribe("bob")
    for n, user in enumerate(["ana", "cy", "dee", "eve"]):
        scene.join(user)
        scene.send(Set(f"{user}-1", PresenceSet(presence_mode="party", is_camera_on=True)))
        scene.now += 0.01 * n
    scene.send(Leave("eve-1"))
    assert scene.take("bob-w") == []  # nothing until the tick
    scene.advance(1)
    [update] = scene.updates("bob-w")
    assert handles(update.joined) == ["ana", "cy", "dee"]  # eve came and went: nothing to see
    assert all(member.is_camera_on for member in update.joined)
    assert update.changed == []
    assert update.left == []
    assert update.total == 3


def test_a_set_that_changes_nothing_sends_nothing() -> None:
    scene = Scene()
    scene.join("ana", is_camera_on=True)
    scene.subscribe("bob")
    scene.send(Set("ana-1", PresenceSet(presence_mode="party", is_camera_on=True)))
    scene.advance(1)
    assert scene.take("bob-w") == []


def test_an_unsubscribed_watcher_is_sent_nothing_more() -> None:
    scene = Scene()
    scene.subscribe("bob")
    scene.send(Unsubscribe("bob-w"))
    scene.join("ana")
    scene.advance(1)
    assert scene.take("bob-w") == []
    assert statistics(scene.room).watchers == 0


# --- large rooms: counts and a page (PRS-4) ------------------------------------------------------


@pytest.mark.req("PRS-4")
def test_above_the_threshold_watchers_get_the_count_and_their_page_not_each_join() -> None:
    scene = Scene(large_room_threshold=4, party_page_size=2)
    for user in ("ana", "bob", "cy", "dee", "eve"):
        scene.join(user)
    snapshot = scene.subscribe("zed")
    assert snapshot.paged
    assert snapshot.page.total == 5
    assert handles(snapshot.page.members) == ["ana", "bob"]

    for user in ("fay", "gus", "hal"):  # joins off zed's page: only the count moves
        scene.join(user)
    scene.send(Heartbeat("ana-1"))
    scene.advance(1, keep_alive=("zed-w",))
    [update] = scene.updates("zed-w")
    assert update.total == 8
    assert update.page is None  # the page zed holds is still right: not sent again
    assert update.joined == []

    scene.advance(4, keep_alive=("zed-w", "ana-1", "bob-1"))  # only heartbeats: nothing to send
    assert scene.take("zed-w") == []

    scene.send(Set("bob-1", PresenceSet(presence_mode="party", is_camera_on=True)))
    scene.advance(1)
    [update] = scene.updates("zed-w")
    assert update.page is not None
    assert update.page.members[1].is_camera_on


@pytest.mark.req("PRS-4")
def test_crossing_the_threshold_either_way_starts_watchers_again_from_a_snapshot() -> None:
    scene = Scene(large_room_threshold=2)
    scene.join("ana")
    scene.join("bob")
    assert not scene.subscribe("zed").paged
    scene.join("cy")
    scene.advance(1)
    [grown] = scene.take("zed-w")
    assert isinstance(grown, PresenceSnapshot)
    assert grown.paged
    assert grown.page.total == 3
    scene.send(Leave("cy-1"))
    scene.advance(1)
    [shrunk] = scene.take("zed-w")
    assert isinstance(shrunk, PresenceSnapshot)
    assert not shrunk.paged
    assert handles(shrunk.page.members) == ["ana", "bob"]


@pytest.mark.req("PRS-4")
def test_above_the_threshold_watchers_shown_the_same_page_share_one_update() -> None:
    """One update object per distinct page and count, its deliveries one after another: the
    socket hub encodes it once for all of them (a large room's flush is one page, not one per
    watcher). A watcher who is a member gets their own: never on their page, one less counted."""
    scene = Scene(large_room_threshold=4, party_page_size=2)
    for user in ("ana", "bob", "cy", "dee", "eve"):
        scene.join(user)
    scene.subscribe("wes")
    scene.subscribe("cy", "cy-w")
    scene.subscribe("wyn")
    scene.send(Set("ana-1", PresenceSet(presence_mode="party", is_camera_on=True)))
    assert scene.room.flush_at is not None
    scene.now = scene.room.flush_at
    delivered = [
        (effect.connection, effect.event)
        for effect in scene.send(Tick())
        if isinstance(effect, Deliver)
    ]
    assert [connection for connection, _ in delivered] == ["wes-w", "wyn-w", "cy-w"]
    shared, again, own = (event for _, event in delivered)
    assert isinstance(shared, PresenceUpdate)
    assert isinstance(own, PresenceUpdate)
    assert again is shared
    assert shared.page is not None
    assert (shared.total, handles(shared.page.members)) == (5, ["ana", "bob"])
    assert own.page is not None
    assert (own.total, handles(own.page.members)) == (4, ["ana", "bob"])
