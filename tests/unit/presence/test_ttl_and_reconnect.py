"""A presence room's clock, without trio: heartbeats and the TTL (PRS-5, PRS-1), reconnects
and the devices of one presence (OPS-5)."""

from __future__ import annotations

import pytest

from tests.unit.presence.scene import LIMITS
from tests.unit.presence.scene import Scene
from tests.unit.presence.scene import handles
from vvtv.contracts.events import PresenceUpdate
from vvtv.domain.presence.messages import Heartbeat
from vvtv.domain.presence.messages import Leave
from vvtv.domain.presence.room import statistics
from vvtv.domain.timer import WakeAt

# --- heartbeats and the TTL (PRS-5, PRS-1) -------------------------------------------------------


@pytest.mark.req("PRS-5")
def test_a_silent_member_leaves_every_list_after_the_ttl_and_within_20_s() -> None:
    scene = Scene()
    ana = scene.join("ana")  # then silent: no heartbeat ever
    scene.subscribe("bob")
    scene.advance(LIMITS.ttl_s - 0.1, keep_alive=("bob-w",))
    assert scene.updates("bob-w") == []
    assert handles(scene.query("cy").members) == ["ana"]

    scene.advance(10, keep_alive=("bob-w",))
    [(at, update)] = scene.sent["bob-w"]
    assert isinstance(update, PresenceUpdate)
    assert update.left == [ana.presence_id]
    assert LIMITS.ttl_s <= at <= LIMITS.ttl_s + LIMITS.sweep_s < 20
    assert scene.expired == [(at, ana.presence_id)]
    assert scene.query("cy").total == 0


def test_heartbeats_keep_a_member_listed_past_the_ttl() -> None:
    scene = Scene()
    scene.join("ana")
    scene.advance(60, keep_alive=("ana-1",))
    assert handles(scene.query("bob").members) == ["ana"]


def test_a_heartbeat_from_a_connection_the_room_does_not_hold_is_refused() -> None:
    """After a restart of the room, or its own expiry, the client learns it must set again."""
    scene = Scene()
    scene.send(Heartbeat("ghost"))
    assert [r.code for r in scene.refusals] == ["not_present"]


def test_the_room_asks_for_no_timer_once_empty() -> None:
    """PRS-4: an empty room has nothing to wake for, so its actor may passivate."""
    scene = Scene()
    scene.join("ana")
    assert scene.room.wake_at is not None
    effects = scene.send(Leave("ana-1"))
    assert WakeAt(None) in effects
    assert statistics(scene.room).members == 0


# --- reconnects and devices (OPS-5) --------------------------------------------------------------


@pytest.mark.req("PRS-4", "OPS-5")
def test_a_reconnect_within_the_ttl_keeps_the_presence_and_watchers_see_nothing() -> None:
    scene = Scene()
    first = scene.join("ana", "tab-1", is_camera_on=True)
    scene.subscribe("bob")
    scene.advance(10, keep_alive=("bob-w",))  # ana's socket dropped: no heartbeats
    again = scene.join("ana", "tab-1", is_camera_on=True)  # the same tab, reconnected
    scene.advance(30, keep_alive=("bob-w", "tab-1"))
    assert again.presence_id == first.presence_id
    assert scene.updates("bob-w") == []


@pytest.mark.req("OPS-5")
def test_a_reconnect_on_a_new_connection_only_changes_the_device_count() -> None:
    scene = Scene()
    first = scene.join("ana", "sock-1")
    scene.subscribe("bob")
    scene.advance(10, keep_alive=("bob-w",))
    again = scene.join("ana", "sock-2")
    scene.advance(30, keep_alive=("bob-w", "sock-2"))
    assert again.presence_id == first.presence_id
    updates = scene.updates("bob-w")
    assert all(not u.joined and not u.left for u in updates)
    assert [u.changed[0].devices for u in updates] == [2, 1]  # then sock-1's TTL ran out


@pytest.mark.req("OPS-5")
def test_two_tabs_of_one_user_are_one_presence_with_a_device_count() -> None:
    scene = Scene()
    scene.join("ana", "tab-1")
    both = scene.join("ana", "tab-2")
    assert both.devices == 2
    page = scene.query("bob")
    assert page.total == 1
    assert page.members[0].devices == 2
    scene.send(Leave("tab-1"))
    assert scene.query("bob").members[0].devices == 1
    scene.send(Leave("tab-2"))
    assert scene.query("bob").total == 0


@pytest.mark.req("OPS-5")
def test_a_device_beyond_the_cap_retires_the_oldest() -> None:
    scene = Scene()
    scene.join("ana", "tab-1")
    scene.advance(1)
    scene.join("ana", "tab-2")
    scene.advance(1)
    assert scene.join("ana", "tab-3").devices == LIMITS.max_devices
    scene.send(Heartbeat("tab-1"))
    assert [r.code for r in scene.refusals] == ["not_present"]
