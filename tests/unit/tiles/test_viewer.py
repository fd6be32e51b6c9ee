"""THB-2 / THB-5 / INV-4 as pure rules: a viewer's slots, what they show and when they let go."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vvtv.domain.tiles.viewer import Close
from vvtv.domain.tiles.viewer import Drop
from vvtv.domain.tiles.viewer import Effect
from vvtv.domain.tiles.viewer import Granted
from vvtv.domain.tiles.viewer import Hide
from vvtv.domain.tiles.viewer import Pause
from vvtv.domain.tiles.viewer import Point
from vvtv.domain.tiles.viewer import Refused
from vvtv.domain.tiles.viewer import Released
from vvtv.domain.tiles.viewer import Show
from vvtv.domain.tiles.viewer import Tick
from vvtv.domain.tiles.viewer import Viewer
from vvtv.domain.tiles.viewer import ViewerRules
from vvtv.domain.tiles.viewer import WakeAt
from vvtv.domain.tiles.viewer import decide
from vvtv.domain.tiles.viewer import new_viewer

RULES = ViewerRules(budget=3, out_of_view_s=2.0)
EVERYONE = frozenset("abcdefghij")


def show(viewer: Viewer, *publishers: str, now: float = 0.0, seen: frozenset[str] = EVERYONE):
    return decide(viewer, Show(publishers, seen), now)


def events(effects: tuple[Effect, ...]) -> list[Effect]:
    return [e for e in effects if not isinstance(e, Point | WakeAt)]


@pytest.mark.req("THB-5")
def test_the_budget_is_granted_and_the_next_tile_refused() -> None:
    viewer, effects = show(new_viewer(RULES), "a", "b", "c", "d")
    assert viewer.slots == ("a", "b", "c")
    assert events(effects) == [
        Granted("a", 0),
        Granted("b", 1),
        Granted("c", 2),
        Refused("d", "tile_budget"),
    ]
    assert effects[0] == Point(("a", "b", "c"))
    assert viewer.waiting == ("d",)


@pytest.mark.req("THB-2", "INV-4")
def test_a_tile_out_of_view_is_released_after_the_delay_and_not_before() -> None:
    viewer, _ = show(new_viewer(RULES), "a", "b")
    viewer, effects = decide(viewer, Hide(("a",)), 10.0)
    assert events(effects) == []
    assert effects == (WakeAt(12.0),)
    viewer, effects = decide(viewer, Tick(), 11.9)
    assert effects == ()
    viewer, effects = decide(viewer, Tick(), 12.0)
    assert events(effects) == [Released("a", "out_of_view")]
    assert effects[0] == Point((None, "b", None))
    assert WakeAt(None) in effects


@pytest.mark.req("THB-2")
def test_back_in_view_before_the_delay_keeps_its_slot_with_nothing_sent() -> None:
    viewer, _ = show(new_viewer(RULES), "a")
    viewer, _ = decide(viewer, Hide(("a",)), 1.0)
    viewer, effects = show(viewer, "a", now=2.0)
    assert effects == (WakeAt(None),)
    assert viewer.slots[0] == "a"
    assert viewer.hidden_at == ()


@pytest.mark.req("THB-5")
def test_a_new_tile_takes_the_slot_out_of_view_longest_rather_than_be_refused() -> None:
    viewer, _ = show(new_viewer(RULES), "a", "b", "c")
    viewer, _ = decide(viewer, Hide(("b",)), 1.0)
    viewer, _ = decide(viewer, Hide(("a",)), 1.5)
    viewer, effects = show(viewer, "d", now=2.0)
    assert events(effects) == [Released("b", "out_of_view"), Granted("d", 1)]
    assert viewer.slots == ("a", "d", "c")


@pytest.mark.req("THB-5")
def test_a_waiting_tile_gets_the_first_slot_that_leaves_the_view_at_once() -> None:
    viewer, _ = show(new_viewer(RULES), "a", "b", "c", "d", "e")
    viewer, effects = decide(viewer, Hide(("b",)), 3.0)
    assert events(effects) == [Released("b", "out_of_view"), Granted("d", 1)]
    viewer, effects = decide(viewer, Hide(("e",)), 3.0)  # it waited: nothing held, nothing freed
    assert effects == ()
    assert viewer.waiting == ()


@pytest.mark.req("MOD-2", "MOD-4")
def test_a_tile_presence_does_not_show_is_refused_and_a_dropped_one_released() -> None:
    viewer, effects = show(new_viewer(RULES), "a", "x", seen=frozenset("a"))
    assert events(effects) == [Granted("a", 0), Refused("x", "tile_unavailable")]
    viewer, _ = show(viewer, "b", "c", "d")
    viewer, effects = decide(viewer, Drop(frozenset({"a"})), 1.0)
    assert events(effects) == [Released("a", "unavailable"), Granted("d", 0)]
    viewer, effects = decide(viewer, Close(), 2.0)
    assert viewer.slots == (None, None, None)
    assert viewer.visible == ()
    assert len([e for e in effects if isinstance(e, Released)]) == 3


_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["show", "hide", "drop", "tick", "pause", "resume"]),
        st.lists(st.sampled_from(sorted(EVERYONE)), max_size=4),
        st.floats(min_value=0, max_value=3),
    ),
    max_size=40,
)


@pytest.mark.req("INV-7", "THB-5")
def test_a_pause_releases_every_slot_refuses_new_tiles_and_a_resume_grants_those_in_view() -> None:
    viewer, _ = show(new_viewer(RULES), "a", "b", "c", "d")
    viewer, _ = decide(viewer, Hide(("c",)), 1.0)  # d, waiting, takes the slot c leaves
    viewer, effects = decide(viewer, Pause(True), 1.5)
    assert viewer.slots == (None, None, None)
    assert events(effects) == [
        Released("a", "tiles_paused"),
        Released("b", "tiles_paused"),
        Released("d", "tiles_paused"),
    ]
    assert effects[0] == Point((None, None, None))
    viewer, effects = show(viewer, "e", now=2.0)
    assert events(effects) == [Refused("e", "tiles_paused")]
    viewer, effects = decide(viewer, Hide(("b",)), 2.5)
    assert events(effects) == []
    assert decide(viewer, Pause(True), 3.0)[1] == ()  # already paused: nothing moves
    viewer, effects = decide(viewer, Pause(False), 4.0)
    assert events(effects) == [Granted("a", 0), Granted("d", 1), Granted("e", 2)]
    assert not viewer.paused


@pytest.mark.req("THB-5", "THB-2", "INV-4", "INV-7")
@given(_ACTIONS)
def test_the_budget_always_holds_and_only_what_is_in_view_or_cooling_is_pointed(actions) -> None:
    viewer = new_viewer(RULES)
    now = 0.0
    wake: float | None = None
    for action, publishers, step in actions:
        now += step
        match action:
            case "show":
                message = Show(tuple(publishers), EVERYONE - {"j"})
            case "hide":
                message = Hide(tuple(publishers))
            case "drop":
                message = Drop(frozenset(publishers))
            case "pause" | "resume":
                message = Pause(action == "pause")
            case _:
                message = Tick()
        viewer, effects = decide(viewer, message, now)
        granted = [p for p in viewer.slots if p is not None]
        assert len(viewer.slots) == RULES.budget
        assert len(granted) == len(set(granted))
        cooling = {p for p, _ in viewer.hidden_at}
        assert set(granted) == (set(viewer.visible) & set(granted)) | cooling
        assert not (cooling & set(viewer.visible))
        if viewer.paused:
            assert granted == []  # INV-7: the ladder's pause points nothing
        if viewer.waiting:
            assert not cooling
            assert viewer.paused or None not in viewer.slots
        wake = next((e.at for e in reversed(effects) if isinstance(e, WakeAt)), wake)
        oldest = viewer.hidden_at[0][1] + RULES.out_of_view_s if viewer.hidden_at else None
        assert wake == oldest  # the timer always stands at the next release
        assert "j" not in granted
