"""The broadcast queue's slack and its alert levels (LAB-4, LAB-7)."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from tests.small_lab import fake_prepared
from tests.small_lab import lab_limits
from vvtv.domain.lab.channel import queue_health
from vvtv.lab.playout_queue import BroadcastQueue


@pytest.mark.parametrize(
    ("slack", "health"),
    [(0, "empty"), (1, "alert"), (1799, "alert"), (1800, "low"), (3599, "low"), (3600, "ok")],
)
def test_health_levels_follow_the_configured_thresholds(slack: float, health: str) -> None:
    """LAB-7: under queue_alert_below_s (30 min) the queue alerts; under the 1 h target: low."""
    limits = lab_limits(queue_alert_below_s=1800, queue_slack_target_s=3600)
    thresholds = {
        "alert_below_s": limits.queue_alert_below_s,
        "target_s": limits.queue_slack_target_s,
    }
    assert queue_health(slack, **thresholds) == health


async def test_slack_is_the_prepared_airtime_and_waiters_wake_when_it_drops() -> None:
    """LAB-4: slack counts prepared seconds; the pipeline waits until it falls under target."""
    queue = BroadcastQueue()
    queue.push(fake_prepared("a", 3))
    queue.push(fake_prepared("b", 2))
    assert queue.slack_s() == 10.0
    woke = trio.Event()

    async def pipeline() -> None:
        await queue.wait_slack_below(8.0)
        woke.set()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(pipeline)
        await trio.testing.wait_all_tasks_blocked()
        assert not woke.is_set()
        assert queue.pop() is not None
        await woke.wait()
    assert queue.statistics().slack_s == 4.0
    assert queue.statistics().popped_total == 1
