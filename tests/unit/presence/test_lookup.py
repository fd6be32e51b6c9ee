"""Live tiles ask a room whose camera a viewer may see (THB-5): the rule of every list (hidden,
blocks both ways, shadow quarantine) and the camera on."""

from __future__ import annotations

import pytest

from tests.unit.presence.scene import Scene
from vvtv.domain.presence.messages import Answer
from vvtv.domain.presence.messages import BlocksChanged
from vvtv.domain.presence.messages import Lookup
from vvtv.domain.presence.room import Person


def seen(scene: Scene, viewer: Person, *user_ids: str) -> frozenset[str]:
    [answer] = [e for e in scene.send(Lookup(viewer, frozenset(user_ids))) if isinstance(e, Answer)]
    assert isinstance(answer.value, frozenset)
    return answer.value


@pytest.mark.req("MOD-2", "MOD-4")
def test_only_cameras_on_of_members_the_viewer_may_see() -> None:
    scene = Scene()
    scene.join("ana", is_camera_on=True)
    scene.join("bob", is_camera_on=False)
    scene.join("cy", is_camera_on=True, visibility="hidden")
    scene.join(
        "dee", is_camera_on=True, as_=Person(user_id="dee", handle="dee", shadow_quarantined=True)
    )
    scene.join("eve", is_camera_on=True)
    viewer = Person(user_id="vic", handle="vic")
    assert seen(scene, viewer, "ana", "bob", "cy", "dee", "eve", "nobody") == {"ana", "eve"}
    scene.send(BlocksChanged("eve", "vic", blocked=True))
    assert (
        seen(scene, Person(user_id="vic", handle="vic", blocked=frozenset({"eve"})), "eve") == set()
    )
    shadowed = Person(user_id="vic", handle="vic", shadow_quarantined=True)
    assert seen(scene, shadowed, "dee") == {"dee"}
