"""The presence room's rules (vvtv/domain/presence.py), without trio: TTL, reconnects, batching,
who sees whom, the one query and its policies, the large-room mode."""

from __future__ import annotations

import pytest

from tests.unit.presence.scene import LIMITS, Scene, handles
from vvtv.contracts.events import PresenceSnapshot, PresenceUpdate
from vvtv.contracts.presence import PresenceFilters, PresenceQuery, PresenceSet
from vvtv.domain.presence.decide import (
    BlocksChanged,
    Heartbeat,
    Join,
    Leave,
    Person,
    QuarantineChanged,
    Refuse,
    Set,
    Subscribe,
    Unsubscribe,
    WakeAt,
    statistics,
    visible_to,
)

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


# --- who sees whom (MOD-2, MOD-4, MOD-6, hidden) -------------------------------------------------


def test_nobody_sees_themselves() -> None:
    scene = Scene()
    scene.join("ana")
    assert scene.subscribe("ana").page.members == []
    assert scene.query("ana").total == 0


@pytest.mark.req("MOD-2")
def test_a_block_made_while_watching_removes_each_from_the_others_view_at_once() -> None:
    scene = Scene()
    ana = scene.join("ana")
    bob = scene.join("bob")
    scene.join("cy")
    scene.subscribe("ana")
    scene.subscribe("bob")
    scene.subscribe("cy")
    scene.send(BlocksChanged("ana", "bob", blocked=True))  # no tick: at once
    [to_ana] = scene.updates("ana-w")
    [to_bob] = scene.updates("bob-w")
    assert to_ana.left == [bob.presence_id]
    assert to_bob.left == [ana.presence_id]
    assert scene.take("cy-w") == []  # cy's view is untouched
    assert handles(
        scene.query(
            "ana", as_=Person(user_id="ana", handle="ana", blocked=frozenset({"bob"}))
        ).members
    ) == ["cy"]

    scene.send(BlocksChanged("ana", "bob", blocked=False))
    assert handles(scene.updates("ana-w")[0].joined) == ["bob"]
    assert handles(scene.updates("bob-w")[0].joined) == ["ana"]


@pytest.mark.req("MOD-2")
def test_a_block_known_at_join_hides_both_ways_from_the_start() -> None:
    scene = Scene()
    scene.join("bob", as_=Person(user_id="bob", handle="bob", blocked=frozenset({"ana"})))
    scene.join("cy")
    ana = Person(user_id="ana", handle="ana", blocked=frozenset({"bob"}))
    scene.join("ana", as_=ana)
    assert handles(scene.subscribe("ana", as_=ana).page.members) == ["cy"]
    assert handles(scene.query("bob", as_=Person(user_id="bob", handle="bob")).members) == ["cy"]
    assert scene.query("ana", as_=ana).total == 1


@pytest.mark.req("MOD-2")
def test_a_block_counted_from_one_side_only_still_hides_both_ways() -> None:
    """Identity hands both directions; should one side's list miss it, the room keeps it."""
    scene = Scene()
    scene.join("bob")
    scene.join("cy")
    scene.join("ana", as_=Person(user_id="ana", handle="ana", blocked=frozenset({"bob"})))
    snapshot = scene.subscribe("bob")  # bob's own record does not name ana
    assert handles(snapshot.page.members) == ["cy"]
    assert snapshot.page.total == 1
    assert scene.query("bob", policy="grid").total == 1


@pytest.mark.req("MOD-4")
def test_a_shadow_quarantined_member_is_seen_only_by_other_shadow_quarantined_users() -> None:
    scene = Scene()
    shady = Person(user_id="sam", handle="sam", shadow_quarantined=True)
    other = Person(user_id="sue", handle="sue", shadow_quarantined=True)
    scene.join("sam", as_=shady)
    scene.join("ana")
    assert handles(scene.query("bob").members) == ["ana"]
    assert handles(scene.query("sue", as_=other).members) == ["sam", "ana"]
    assert handles(scene.query("sam", as_=shady).members) == ["ana"]  # they see everyone
    assert visible_to(other, shady, "visible")
    assert not visible_to(Person(user_id="bob", handle="bob"), shady, "visible")


@pytest.mark.req("MOD-4")
def test_a_shadow_quarantine_set_while_watched_takes_the_member_out_of_others_views() -> None:
    scene = Scene()
    sam = scene.join("sam")
    scene.subscribe("bob")
    scene.subscribe("sam")
    scene.join("sue", as_=Person(user_id="sue", handle="sue", shadow_quarantined=True))
    scene.advance(1)
    scene.send(QuarantineChanged("sam", shadow=True))
    assert scene.updates("bob-w")[0].left == [sam.presence_id]
    assert handles(scene.updates("sam-w")[0].joined) == ["sue"]  # now sam sees sue


def test_a_new_account_is_marked_in_every_view() -> None:
    scene = Scene()
    newbie = Person(user_id="nia", handle="nia", quarantined_new=True)
    assert scene.join("nia", as_=newbie).quarantined_new
    [seen] = scene.subscribe("bob").page.members
    assert seen.quarantined_new
    assert seen.handle == "nia"


def test_a_hidden_member_appears_nowhere() -> None:
    scene = Scene()
    scene.join("ana", visibility="hidden")
    cy = scene.join("cy")
    assert handles(scene.subscribe("bob").page.members) == ["cy"]
    assert scene.query("dee").total == 1
    scene.send(Set("cy-1", PresenceSet(presence_mode="party", visibility="hidden")))
    scene.advance(1)
    [update] = scene.updates("bob-w")
    assert update.left == [cy.presence_id]
    assert update.total == 0
    assert scene.query("dee", policy="grid").total == 0


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
    assert update.page is not None
    assert update.total == 8
    assert update.joined == []
    assert handles(update.page.members) == ["ana", "bob"]

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


def test_an_unsubscribed_watcher_is_sent_nothing_more() -> None:
    scene = Scene()
    scene.subscribe("bob")
    scene.send(Unsubscribe("bob-w"))
    scene.join("ana")
    scene.advance(1)
    assert scene.take("bob-w") == []
    assert statistics(scene.room).watchers == 0
