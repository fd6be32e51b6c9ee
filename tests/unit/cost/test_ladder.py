"""The kill-switch ladder as a pure rule (INV-7): one step down per dwell above the ceiling, back
up below step_up_fraction of it, never two changes within min_dwell_s, an admin's pin on top."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from vvtv.domain.kill_switch import STEPS
from vvtv.domain.kill_switch import Changed
from vvtv.domain.kill_switch import Ladder
from vvtv.domain.kill_switch import LadderRules
from vvtv.domain.kill_switch import engaged
from vvtv.domain.kill_switch import observe
from vvtv.domain.kill_switch import pin

RULES = LadderRules(steps=STEPS, ceiling_gb_per_hour=50.0, step_up_fraction=0.7, min_dwell_s=120)


def run(
    loads: list[tuple[float, float]], ladder: Ladder | None = None
) -> tuple[Ladder, list[Changed]]:
    ladder = ladder or Ladder()
    changes = []
    for at, load in loads:
        ladder, changed = observe(ladder, load, at, RULES)
        if changed:
            changes.append(changed)
    return ladder, changes


@pytest.mark.req("INV-7", "TEL-4")
def test_above_the_ceiling_it_steps_down_once_per_dwell_in_config_order() -> None:
    ladder, changes = run([(t * 10.0, 80.0) for t in range(0, 61)])  # ten minutes at 80 GB/h
    assert [c.after for c in changes] == [1, 2, 3, 4, 5]
    assert [c.cause for c in changes] == ["load"] * 5
    assert ladder.level == len(STEPS)
    assert engaged(1, "degraded_thumbs", RULES)
    assert not engaged(1, "stills", RULES)
    assert engaged(5, "new_calls_refused", RULES)


@pytest.mark.req("INV-7")
def test_it_holds_in_the_hysteresis_band_and_steps_up_below_it() -> None:
    ladder, _ = run([(0.0, 80.0), (120.0, 80.0)])
    assert ladder.level == 2
    # 36-50 GB/h: under the ceiling but above 70 % of it: hold, however long.
    ladder, changes = run([(120.0 + t * 10, 40.0) for t in range(1, 100)], ladder)
    assert (ladder.level, changes) == (2, [])
    ladder, changes = run([(1200.0 + t * 10, 30.0) for t in range(0, 30)], ladder)
    assert [c.after for c in changes] == [1, 0]


@pytest.mark.req("INV-7")
@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=200), min_size=1, max_size=200))
def test_it_never_flaps_whatever_the_load(loads: list[float]) -> None:
    """Changes are at least min_dwell_s apart, one step at a time, within the ladder."""
    ladder = Ladder()
    last_change: float | None = None
    for index, load in enumerate(loads):
        at = index * 15.0
        before = ladder.level
        ladder, changed = observe(ladder, load, at, RULES)
        assert 0 <= ladder.level <= len(STEPS)
        if changed:
            assert abs(changed.after - changed.before) == 1
            assert (changed.after > before) == (load > RULES.ceiling_gb_per_hour)
            assert last_change is None or at - last_change >= RULES.min_dwell_s
            last_change = at


@pytest.mark.req("INV-7")
def test_an_admin_pin_holds_the_level_and_lifting_it_resumes_the_load_s() -> None:
    ladder, change = pin(Ladder(), 3, RULES)
    assert change == Changed(0, 3, "override")
    ladder, changes = run([(t * 10.0, 80.0) for t in range(0, 13)], ladder)
    assert ladder.level == 3  # the load reached 2 underneath; the users saw no change
    assert (ladder.automatic, changes) == (2, [])
    ladder, change = pin(ladder, None, RULES)
    assert change == Changed(3, 2, "override")
    with pytest.raises(ValueError, match="between 0 and 5"):
        pin(ladder, 6, RULES)
