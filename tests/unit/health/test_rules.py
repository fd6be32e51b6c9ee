"""Per-service health as a pure judgment between two samples of the kernel's counters (TEL-5)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vvtv.domain.health import KindSample
from vvtv.domain.health import ServiceShape
from vvtv.domain.health import judge
from vvtv.domain.health import judge_capacity
from vvtv.domain.health import judge_channel

SHAPE = ServiceShape(kinds=("presence",), loops=("presence wakes",))
QUIET = KindSample(
    actors_live=1,
    queued_messages=0,
    messages_processed_total=10,
    gave_up_total=0,
    ask_timeouts_total=0,
    mailbox_full_total=0,
)


def sample(**changes: int) -> dict[str, KindSample]:
    return {"presence": replace(QUIET, **changes), "presence wakes": QUIET}


@pytest.mark.req("TEL-5")
def test_a_queue_that_does_not_move_for_stuck_after_s_is_stuck_and_recovers() -> None:
    before = sample(queued_messages=3)
    first = judge(SHAPE, sample(queued_messages=3), before, None, at=100.0, stuck_after_s=30)
    assert first.state == "ok"
    assert first.stalled_since == 100.0
    still = judge(
        SHAPE,
        sample(queued_messages=4),
        sample(queued_messages=3),
        first,
        at=120.0,
        stuck_after_s=30,
    )
    assert still.state == "ok"
    stuck = judge(
        SHAPE,
        sample(queued_messages=4),
        sample(queued_messages=4),
        still,
        at=130.0,
        stuck_after_s=30,
    )
    assert stuck.state == "stuck"
    assert "4 messages waiting" in stuck.detail
    moving = judge(
        SHAPE,
        sample(queued_messages=4, messages_processed_total=11),
        sample(queued_messages=4),
        stuck,
        at=135.0,
        stuck_after_s=30,
    )
    assert moving.state == "ok"
    assert moving.stalled_since is None


def test_an_idle_service_is_ok_however_long() -> None:
    assert judge(SHAPE, sample(), sample(), None, at=1e6, stuck_after_s=30).state == "ok"


def test_a_missing_loop_or_a_give_up_is_down() -> None:
    stopped = sample() | {"presence wakes": replace(QUIET, actors_live=0)}
    assert judge(SHAPE, stopped, sample(), None, 0.0, 30).state == "down"
    gave_up = judge(SHAPE, sample(gave_up_total=1), sample(), None, 0.0, 30)
    assert (gave_up.state, gave_up.detail) == ("down", "the supervisor gave up on presence")
    unknown = judge(ServiceShape(kinds=("match",)), sample(), sample(), None, 0.0, 30)
    assert unknown == unknown.__class__("down", "not running: match")


def test_timeouts_or_overflow_since_the_last_sample_degrade() -> None:
    assert judge(SHAPE, sample(ask_timeouts_total=1), sample(), None, 0.0, 30).state == "degraded"
    assert judge(
        SHAPE, sample(mailbox_full_total=2), sample(mailbox_full_total=1), None, 0.0, 30
    ).state == ("degraded")
    # Old overflows are history: the next sample without new ones is ok again.
    assert judge(
        SHAPE, sample(mailbox_full_total=2), sample(mailbox_full_total=2), None, 0.0, 30
    ).state == ("ok")


@pytest.mark.req("TEL-5")
def test_the_channel_is_judged_by_its_freshest_reports() -> None:
    assert judge_channel([], 30).state == "down"
    assert judge_channel([("plan", 5.0)], 30).state == "ok"
    assert judge_channel([("reserve", 5.0)], 30).detail == "emergency: the reserve loop is on air"
    assert judge_channel([("reserve", 5.0), ("plan", 1.0)], 30).state == "ok"
    assert judge_channel([("plan", 31.0)], 30).state == "down"
    assert judge_channel([("off", 1.0)], 30).state == "down"


def test_a_full_admission_cap_degrades() -> None:
    assert judge_capacity(3, 4, "peer connections").state == "ok"
    assert judge_capacity(4, 4, "peer connections").detail == "at its cap of 4 peer connections"
