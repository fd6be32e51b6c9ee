"""A member's fields, without trio: what a set changes (PRS-2), what it may not, and the
ecosystem a room admits (INV-5, MOD-7)."""

from __future__ import annotations

import pytest

from tests.unit.presence.scene import Scene
from vvtv.contracts.presence import PresenceFilters
from vvtv.contracts.presence import PresenceQuery
from vvtv.contracts.presence import PresenceSet
from vvtv.domain.presence.messages import Join
from vvtv.domain.presence.messages import Set
from vvtv.domain.presence.messages import Subscribe
from vvtv.domain.presence.room import Person
from vvtv.domain.presence.room import statistics

# --- setting fields (PRS-2) ----------------------------------------------------------------------


@pytest.mark.req("PRS-2")
def test_a_member_sets_every_field_and_watchers_see_them_change() -> None:
    scene = Scene()
    scene.join("ana")
    scene.subscribe("bob")
    fields = PresenceSet(
        presence_mode="sniffers",
        is_camera_on=True,
        capabilities=["thumb_low", "chat"],
        tags=["music"],
        language="pt-BR",
    )
    scene.send(Set("ana-1", fields))
    scene.advance(1)
    [update] = scene.updates("bob-w")
    [ana] = update.changed
    assert (ana.presence_mode, ana.is_camera_on, ana.capabilities, ana.tags, ana.language) == (
        "sniffers",
        True,
        ["thumb_low", "chat"],
        ["music"],
        "pt-BR",
    )
    assert ana.visibility == "visible"
    assert ana.user_id == "ana"
    assert ana.presence_id


def test_set_before_joining_is_refused() -> None:
    scene = Scene()
    scene.send(Set("nobody", PresenceSet(presence_mode="party")))
    assert [r.code for r in scene.refusals] == ["not_present"]


def test_fields_beyond_the_config_caps_are_refused() -> None:
    scene = Scene()
    scene.send(
        Join(
            "ana-1",
            Person(user_id="ana", handle="ana"),
            PresenceSet(presence_mode="party", tags=["a", "b", "c", "d"]),
            "p-ana",
        )
    )
    assert [(r.code, r.path) for r in scene.refusals] == [("invalid_fields", "tags")]
    assert statistics(scene.room).members == 0


# --- ecosystems (INV-5, MOD-7) -------------------------------------------------------------------


@pytest.mark.req("INV-5", "MOD-7")
def test_a_room_admits_only_the_modes_of_its_own_ecosystem() -> None:
    scene = Scene()
    person = Person(user_id="ana", handle="ana")
    scene.send(Join("ana-1", person, PresenceSet(presence_mode="live_public"), "p-ana"))
    scene.send(Subscribe("ana-w", person, PresenceQuery(ecosystem="live_public")))
    scene.send(
        Subscribe(
            "ana-w",
            person,
            PresenceQuery(
                ecosystem="party", policy="grid", filters=PresenceFilters(modes=["random"])
            ),
        )
    )
    assert [r.code for r in scene.refusals] == [
        "wrong_ecosystem",
        "wrong_ecosystem",
        "invalid_query",
    ]
    assert statistics(scene.room) == statistics(Scene().room)
