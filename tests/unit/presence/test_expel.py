"""`Expel` (a ban): the user leaves the room at once, every device and every watch."""

from __future__ import annotations

import pytest

from tests.unit.presence.scene import Scene
from tests.unit.presence.scene import handles
from vvtv.domain.presence.messages import Expel
from vvtv.domain.presence.messages import Heartbeat
from vvtv.domain.presence.room import RoomStatistics
from vvtv.domain.presence.room import statistics


@pytest.mark.req("MOD-3")
def test_an_expelled_user_is_gone_from_every_view_at_once_with_every_tab() -> None:
    scene = Scene()
    ana = scene.join("ana", "ana-1")
    scene.join("ana", "ana-2")
    scene.subscribe("ana", "ana-w")
    scene.join("bob")
    scene.subscribe("cyd")
    scene.send(Expel("ana"))  # no tick: at once
    [update] = scene.updates("cyd-w")
    assert update.left == [ana.presence_id]
    assert handles(scene.query("cyd").members) == ["bob"]
    assert scene.take("ana-w") == []
    assert statistics(scene.room) == RoomStatistics(members=1, devices=1, watchers=1, large=False)
    for connection in ("ana-1", "ana-2", "ana-w"):
        scene.send(Heartbeat(connection))
    assert [r.code for r in scene.refusals] == ["not_present"] * 3


def test_expelling_someone_not_in_the_room_sends_nothing() -> None:
    scene = Scene()
    scene.join("bob")
    scene.subscribe("cyd")
    assert scene.send(Expel("ana")) == ()
    assert scene.take("cyd-w") == []
