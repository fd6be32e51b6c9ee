"""The one query, without trio: the party and grid policies, filters, ranking, cursor paging
and out-of-bounds refusals (PRS-3, OPS-4)."""

from __future__ import annotations

import pytest

from tests.unit.presence.scene import LIMITS
from tests.unit.presence.scene import Scene
from tests.unit.presence.scene import handles
from vvtv.contracts.presence import PresenceFilters
from vvtv.contracts.presence import PresenceQuery
from vvtv.domain.presence.messages import Leave
from vvtv.domain.presence.messages import Refuse
from vvtv.domain.presence.messages import Subscribe
from vvtv.domain.presence.room import Person

# --- the one query: party and grid (PRS-3, OPS-4) ------------------------------------------------


def test_party_lists_in_arrival_order_and_takes_no_filters() -> None:
    scene = Scene()
    for user in ("ana", "bob", "cy", "dee"):
        scene.join(user, is_camera_on=user == "dee")
    page = scene.query("eve")
    assert handles(page.members) == ["ana", "bob", "cy"]  # party_page_size
    assert page.total == 4
    assert page.next_cursor is not None
    assert handles(scene.query("eve", cursor=page.next_cursor).members) == ["dee"]
    scene.send(
        Subscribe(
            "w",
            Person(user_id="eve", handle="eve"),
            PresenceQuery(ecosystem="party", filters=PresenceFilters(camera_on=True)),
        )
    )
    assert [(r.code, r.path) for r in scene.refusals] == [("invalid_query", "filters")]


@pytest.mark.req("OPS-4")
def test_grid_filters_by_tags_language_camera_new_and_segment() -> None:
    scene = Scene(grid_page_size=10)
    scene.join("ana", tags=["music"], language="pt-BR", is_camera_on=True)
    scene.join("bob", tags=["art"], language="pt", presence_mode="sniffers")
    scene.join("cy", tags=["music", "art"], language="en")
    scene.join("nia", as_=Person(user_id="nia", handle="nia", quarantined_new=True))

    def grid(**filters: object) -> list[str]:
        return handles(scene.query("eve", policy="grid", filters=filters).members)

    assert grid(tags=["art"]) == ["bob", "cy"]
    assert grid(language="pt") == ["ana", "bob"]  # `pt` covers pt-BR
    assert grid(language="pt-BR") == ["ana"]
    assert grid(camera_on=True) == ["ana"]
    assert grid(camera_on=False, new=True) == ["nia"]
    assert grid(modes=["sniffers"]) == ["bob"]
    assert grid(tags=["music"], language="en") == ["cy"]


@pytest.mark.req("OPS-4")
def test_grid_ranks_shared_tags_then_cameras_on_then_arrival() -> None:
    scene = Scene(grid_page_size=10)
    scene.join("ana")
    scene.join("bob", is_camera_on=True)
    scene.join("cy", tags=["art"])
    scene.join("dee", tags=["art", "music"], is_camera_on=False)
    scene.join("eve", tags=["music"], is_camera_on=True)
    assert handles(scene.query("x1", policy="grid").members) == ["bob", "eve", "ana", "cy", "dee"]
    ranked = scene.query("x1", policy="grid", filters={"tags": ["art", "music"]})
    assert handles(ranked.members) == ["dee", "eve", "cy"]


@pytest.mark.req("OPS-4")
def test_cursor_paging_neither_repeats_nor_skips_members_who_stay_while_others_come_and_go() -> (
    None
):
    scene = Scene()
    users = [f"u{n:02d}" for n in range(9)]
    for n, user in enumerate(users):
        scene.join(user, is_camera_on=n % 2 == 0)
    seen: list[str] = []
    cursor = None
    churn = iter([("leave", "u00"), ("join", "n01"), ("leave", "u05"), ("join", "n02")])
    while True:
        page = scene.query("zed", policy="grid", cursor=cursor)
        seen += handles(page.members)
        step = next(churn, None)
        if step is not None:
            action, user = step
            if action == "leave":
                scene.send(Leave(f"{user}-1"))
            else:
                scene.join(user, is_camera_on=True)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    stayed = [u for u in users if u not in ("u00", "u05")]
    assert len(seen) == len(set(seen))
    assert set(stayed) <= set(seen)


def test_queries_out_of_bounds_are_refused_with_their_field() -> None:
    scene = Scene()
    viewer = Person(user_id="eve", handle="eve")
    for query, path in [
        (PresenceQuery(ecosystem="party", limit=LIMITS.page_size_max + 1), "limit"),
        (PresenceQuery(ecosystem="party", policy="grid", cursor="p:3"), "cursor"),
        (PresenceQuery(ecosystem="party", cursor="p:x"), "cursor"),
        (
            PresenceQuery(
                ecosystem="party", policy="grid", filters=PresenceFilters(tags=["a", "b", "c", "d"])
            ),
            "filters.tags",
        ),
    ]:
        scene.send(Subscribe("w", viewer, query))
        assert (scene.refusals[-1].code, scene.refusals[-1].path) == ("invalid_query", path)
    assert all(isinstance(r, Refuse) for r in scene.refusals)
