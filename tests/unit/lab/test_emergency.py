"""When the reserve loop airs and when the plan comes back (LAB-6), as a pure rule."""

from __future__ import annotations

from vvtv.domain.lab.emergency import AirSituation
from vvtv.domain.lab.emergency import choose_source


def situation(**changes: object) -> AirSituation:
    base: dict[str, object] = dict(
        on_air="plan", at_item_end=False, pipeline_up=True, queue_slack_s=600.0, queue_items=3,
        reserve_since=None, now=100.0,
    )  # fmt: skip
    base.update(changes)
    return AirSituation(**base)  # type: ignore[arg-type]


def choose(**changes: object) -> str:
    return choose_source(situation(**changes), resume_slack_s=60, min_dwell_s=10)


def test_a_dead_pipeline_switches_to_reserve_at_once_even_mid_item() -> None:
    """LAB-6: pipeline down → reserve at the next segment, not at the item's end."""
    assert choose(pipeline_up=False) == "reserve"


def test_a_dry_queue_switches_to_reserve_at_the_items_end() -> None:
    """LAB-6: queue dry → reserve when the current item ends; until then the item finishes."""
    assert choose(queue_items=0, queue_slack_s=0) == "plan"
    assert choose(queue_items=0, queue_slack_s=0, at_item_end=True) == "reserve"


def test_the_plan_returns_only_with_slack_and_after_the_dwell_time() -> None:
    """LAB-6: no flapping: back to plan needs the pipeline, resume slack and min dwell."""
    on_reserve = dict(on_air="reserve", reserve_since=95.0)
    assert choose(**on_reserve) == "reserve"  # only 5 s on reserve
    assert choose(**on_reserve, now=105.0, queue_slack_s=30.0) == "reserve"  # too little slack
    assert choose(**on_reserve, now=105.0, pipeline_up=False) == "reserve"
    assert choose(**on_reserve, now=105.0) == "plan"
