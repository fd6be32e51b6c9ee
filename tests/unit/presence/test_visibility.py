"""Who sees whom, without trio: never yourself, never across a block either way (MOD-2), shadow
quarantine (MOD-4), new accounts marked (MOD-6), hidden members nowhere."""

from __future__ import annotations

import pytest

from tests.unit.presence.scene import Scene
from tests.unit.presence.scene import handles
from vvtv.contracts.presence import PresenceSet
from vvtv.domain.presence.messages import BlocksChanged
from vvtv.domain.presence.messages import QuarantineChanged
from vvtv.domain.presence.messages import Set
from vvtv.domain.presence.room import Person
from vvtv.domain.presence.visibility import visible_to

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


def test_a_member_in_a_mode_whose_policy_lists_nobody_appears_nowhere() -> None:
    """`presence_visible: false` in a mode's policies: its members are present (they hold the
    room, heartbeat, count in its statistics) but in no list, count or diff, whatever they set."""
    scene = Scene(listed=("party",))
    scene.join("ana", presence_mode="sniffers")
    cy = scene.join("cy")
    assert handles(scene.subscribe("bob").page.members) == ["cy"]
    assert scene.query("dee").total == 1
    assert scene.query("dee", policy="grid", filters={"modes": ["sniffers"]}).total == 0
    scene.send(Set("cy-1", PresenceSet(presence_mode="sniffers")))  # into the unlisted mode
    scene.advance(1)
    [update] = scene.updates("bob-w")
    assert (update.left, update.total) == ([cy.presence_id], 0)
    scene.send(Set("ana-1", PresenceSet(presence_mode="party")))  # out of it: seen again
    scene.advance(1)
    [update] = scene.updates("bob-w")
    assert (handles(update.joined), update.total) == (["ana"], 1)
