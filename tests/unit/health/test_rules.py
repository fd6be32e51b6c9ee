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
# Live, 10 messages processed, none waiting; no give-up, ask timeout or overflow.
QUIET = KindSample(1, 0, 10, 0, 0, 0)
STUCK_AFTER_S = 30


def sample(**changes: int) -> dict[str, KindSample]:
    return {"presence": replace(QUIET, **changes), "presence wakes": QUIET}


def waiting(queued: int, processed: int = 10) -> dict[str, KindSample]:
    return sample(queued_messages=queued, messages_processed_total=processed)


@pytest.mark.req("TEL-5")
def test_a_queue_that_does_not_move_for_stuck_after_s_is_stuck_and_recovers() -> None:
    first = judge(SHAPE, waiting(3), waiting(3), None, 100.0, STUCK_AFTER_S)
    assert first.state == "ok"
    assert first.stalled_since == 100.0
    still = judge(SHAPE, waiting(4), waiting(3), first, 120.0, STUCK_AFTER_S)
    assert still.state == "ok"
    stuck = judge(SHAPE, waiting(4), waiting(4), still, 130.0, STUCK_AFTER_S)
    assert stuck.state == "stuck"
    assert "4 messages waiting" in stuck.detail
    moving = judge(SHAPE, waiting(4, processed=11), waiting(4), stuck, 135.0, STUCK_AFTER_S)
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
