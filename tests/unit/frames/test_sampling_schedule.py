"""Which frames of a published camera the SFU checks (issue 16), on trio's MockClock: one a
second (`early_interval_s`) in the stream's first `early_window_s`, then one per
`later_interval_s`; a report on the publisher makes it dense again for `report_window_s`,
starting with the next frame; a stopped camera is checked no more; a camera whose check is still
running skips frames rather than queueing them. The sampler runs on an inline executor here, its
classifier a fake that records what it was shown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures import Future
from typing import TYPE_CHECKING
from typing import Any

import av
import numpy as np
import pytest
import trio

from vvtv.config import ConfigBundle
from vvtv.media.local_sfu.frame_sampler import FrameSampler
from vvtv.media.local_sfu.frame_sampler import frame_sampler_of
from vvtv.media.port import FrameChecked

if TYPE_CHECKING:
    from vvtv.media.frame_classifier import RgbImage

FPS = 15


class Inline(Executor):
    """Runs each job at once, or holds them (`hold`) until `release`: a slow classifier."""

    def __init__(self) -> None:
        self.hold = False
        self.held: list[tuple[Future[Any], Callable[[], Any]]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        if self.hold:
            self.held.append((future, lambda: fn(*args, **kwargs)))
        else:
            future.set_result(fn(*args, **kwargs))
        return future

    def release(self) -> None:
        for future, job in self.held:
            future.set_result(job())
        self.held.clear()


class Scores:
    """The fake classifier: a fixed score, and the size of each picture it was shown."""

    def __init__(self, score: float) -> None:
        self.value = score
        self.shown: list[tuple[int, int]] = []

    def score(self, image: RgbImage) -> float:
        self.shown.append((image.shape[1], image.shape[0]))
        return self.value


def frame(width: int = 640, height: int = 360) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(np.full((height, width, 3), 128, np.uint8), format="rgb24")


class Rig:
    def __init__(self, config: ConfigBundle, score: float = 0.0) -> None:
        self.executor = Inline()
        self.scores = Scores(score)
        self.checked: list[tuple[float, FrameChecked]] = []
        sampler = frame_sampler_of(
            config.limits.media.frame_checks,
            self.executor,
            lambda checked: self.checked.append((trio.current_time(), checked)),
            lambda: self.scores,
        )
        assert sampler is not None
        self.sampler: FrameSampler = sampler
        self.sampler._now = trio.current_time
        self.sampler._call_soon = lambda fn, *args: fn(*args)

    async def camera(self, publisher: str, seconds: float) -> None:
        """`publisher`'s camera sends FPS frames a second for `seconds`."""
        picture = frame()
        for _ in range(round(seconds * FPS)):
            self.sampler.offer(publisher, picture)
            await trio.sleep(1 / FPS)

    def times(self, since: float = 0.0) -> list[float]:
        return [at for at, _ in self.checked if at >= since]


@pytest.fixture
def config(config_bundle: ConfigBundle) -> ConfigBundle:
    return config_bundle


@pytest.mark.req("MOD-1", "TEL-3")
async def test_dense_in_the_first_seconds_then_sparse(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    checks = config.limits.media.frame_checks
    rig = Rig(config)
    rig.sampler.started("ana", "s1")
    await rig.camera("ana", checks.early_window_s + 6 * checks.later_interval_s)
    early = [t for t in rig.times() if t < checks.early_window_s]
    later = [t for t in rig.times() if t >= checks.early_window_s]
    assert len(early) == pytest.approx(checks.early_window_s / checks.early_interval_s, abs=1)
    assert len(later) == pytest.approx(6, abs=1)
    gaps = np.diff(later)
    assert all(gap >= checks.later_interval_s for gap in gaps)
    assert all(gap < checks.later_interval_s + 2 / FPS for gap in gaps)
    # Scaled to fit the still's box before scoring; nothing scored low leaves as a still.
    assert set(rig.scores.shown) == {(checks.still_max_px, 180)}
    assert all(checked.still is None for _, checked in rig.checked)
    assert {(c.publisher_id, c.session_id) for _, c in rig.checked} == {("ana", "s1")}


@pytest.mark.req("MOD-5")
async def test_a_report_checks_the_next_frame_then_densely_again(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    checks = config.limits.media.frame_checks
    rig = Rig(config)
    rig.sampler.started("ana", "s1")
    await rig.camera("ana", checks.early_window_s + 2 * checks.later_interval_s + 0.5)
    reported_at = trio.current_time()
    rig.sampler.report("ana")
    await rig.camera("ana", checks.report_window_s + 3 * checks.later_interval_s)
    after = rig.times(since=reported_at)
    assert after[0] - reported_at < 2 / FPS  # the next frame
    dense = [t for t in after if t < reported_at + checks.report_window_s]
    assert len(dense) == pytest.approx(checks.report_window_s / checks.early_interval_s, abs=1)
    sparse = [t for t in after if t >= reported_at + checks.report_window_s]
    assert len(sparse) == pytest.approx(3, abs=1)


@pytest.mark.req("TEL-3")
async def test_a_stopped_camera_is_not_checked_and_its_last_still_is_forgotten(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    rig = Rig(config)
    await rig.camera("ana", 2)  # never started: a subscriber's frames, say
    assert rig.checked == []
    rig.sampler.started("ana", "s1")
    await rig.camera("ana", 2)
    assert rig.checked
    assert rig.sampler.last_still("s1", "ana") is not None
    assert rig.sampler.last_still("other", "ana") is None  # another session's stream
    rig.sampler.stopped("ana")
    count = len(rig.checked)
    await rig.camera("ana", 5)
    assert len(rig.checked) == count
    assert rig.sampler.last_still("s1", "ana") is None


@pytest.mark.req("MOD-1")
async def test_a_slow_check_skips_frames_and_a_high_score_carries_its_still(
    config: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    checks = config.limits.media.frame_checks
    rig = Rig(config, score=checks.report_at)
    rig.sampler.started("ana", "s1")
    rig.executor.hold = True
    await rig.camera("ana", 5)
    assert len(rig.executor.held) == 1  # one in flight; the frames meanwhile were skipped
    rig.executor.hold = False
    rig.executor.release()
    [(_, checked)] = rig.checked
    assert checked.still is not None
    assert checked.still.startswith(b"\xff\xd8")
    assert checked.score == checks.report_at


def held_sampler(config: ConfigBundle) -> tuple[Inline, list[FrameChecked], FrameSampler]:
    """A sampler whose checks wait (a slow classifier) and would score high enough to report."""
    executor = Inline()
    executor.hold = True
    delivered: list[FrameChecked] = []
    sampler = frame_sampler_of(
        config.limits.media.frame_checks,
        executor,
        delivered.append,
        lambda: Scores(config.limits.media.frame_checks.report_at),
    )
    assert sampler is not None
    return executor, delivered, sampler


@pytest.mark.req("TEL-3")
def test_a_frame_checked_after_the_sfus_loop_closed_is_dropped_quietly(
    config: ConfigBundle, caplog: pytest.LogCaptureFixture
) -> None:
    """The SFU's asyncio loop closes (shutdown) while a frame is being checked: its result, still
    and all, goes nowhere, and nothing logs `Event loop is closed` from the checking thread."""
    executor, delivered, sampler = held_sampler(config)

    async def publish() -> None:  # on the SFU's loop, as its publisher connection does
        sampler.started("ana", "s1")
        assert sampler.offer("ana", frame())

    loop = asyncio.new_event_loop()
    loop.run_until_complete(publish())
    loop.close()
    with caplog.at_level(logging.DEBUG):
        executor.release()  # the check finishes now, on a closed loop
    assert delivered == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.req("TEL-3")
def test_a_check_the_executor_dropped_at_shutdown_is_dropped_quietly(
    config: ConfigBundle, caplog: pytest.LogCaptureFixture
) -> None:
    """The SFU closes its checking executor with frames waiting (`cancel_futures`): each dropped
    check ends with nothing delivered and no `Exception in callback` on the SFU's loop."""
    executor, delivered, sampler = held_sampler(config)

    async def publish_then_close() -> None:
        sampler.started("ana", "s1")
        assert sampler.offer("ana", frame())
        for future, _ in executor.held:
            future.cancel()  # what shutdown(cancel_futures=True) does to a check not begun
        await asyncio.sleep(0)  # the loop runs the sampler's callback

    with caplog.at_level(logging.DEBUG):
        asyncio.run(publish_then_close())
    assert delivered == []
    assert sampler.frames_checked == 0
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert sampler._in_flight == set(), "the publisher's next frames may be checked"
