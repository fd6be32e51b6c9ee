"""Frame checks at the SFU (issue 16): which decoded frames of each published camera are
classified, off the SFU's loop, and what is reported back.

A camera's schedule starts when its source starts sending (`started`: a call's or a tile's
publish connection) and follows `vvtv.domain.frames.schedule`. A taken frame is scaled to fit
`still_max_px` on the SFU's loop, then scored on the sampler's own thread (one, at a lower
priority than the media's: checks never take the encoders' cores),
and goes out as a still (its JPEG) only when it scored at or above `report_at`. The camera's last
checked frame is kept as a JPEG in this process's memory alone, for a person's report on it
(`last_still`), and replaced by the next, forgotten when the camera stops (TEL-3: never written
anywhere). At most one frame per camera is in flight: a slow classifier skips frames, never queues.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

import av
import msgspec
from av.video.reformatter import VideoReformatter

from vvtv.config.schema.limits import FrameCheckLimits
from vvtv.domain.frames.schedule import SamplingRules
from vvtv.domain.frames.schedule import Schedule
from vvtv.media.frame_classifier import FrameClassifier
from vvtv.media.frame_classifier import build_classifier
from vvtv.media.local_sfu.video_rendition import fit_within
from vvtv.media.port import FrameChecked

if TYPE_CHECKING:
    from vvtv.media.frame_classifier import RgbImage

STILL_JPEG_QUALITY = 80  # a reviewer's look at it, not an archive
# The checking thread yields the cores to the media threads (decoding, encoding, sending): a check
# that waits for a core skips frames; a late media packet is a broken picture for every viewer.
CHECK_THREAD_NICENESS = 10


def checking_thread() -> ThreadPoolExecutor:
    """The one thread that checks frames, at a lower scheduling priority than the media's."""

    def lower_priority() -> None:
        with contextlib.suppress(OSError):  # Linux: a thread id names that thread alone
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), CHECK_THREAD_NICENESS)

    return ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="sfu-frames", initializer=lower_priority
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SamplerSettings:
    rules: SamplingRules
    report_at: float
    still_max_px: int


class FrameSampler:
    def __init__(
        self,
        settings: SamplerSettings,
        classifier: Callable[[], FrameClassifier],
        executor: Executor,
        deliver: Callable[[FrameChecked], None],
        *,
        now: Callable[[], float] = time.monotonic,
        call_soon: Callable[..., Any] | None = None,
    ) -> None:
        """`classifier` builds the model on the sampler's thread at its first frame (it takes
        a while); `deliver` is called on the SFU's loop (`call_soon`: that loop's, by default)."""
        self._settings = settings
        self._build = classifier
        self._classifier: FrameClassifier | None = None
        self._scaler = VideoReformatter()  # its own: a frame's own `reformat` keeps one per frame
        self._executor = executor
        self._deliver = deliver
        self._now = now
        self._call_soon = call_soon
        self._streams: dict[str, tuple[str, Schedule]] = {}  # publisher -> (session, schedule)
        self._in_flight: set[str] = set()
        self._stills: dict[str, tuple[str, bytes]] = {}  # publisher -> (session, last JPEG)
        self.frames_checked = 0
        self.check_seconds_total = 0.0

    def started(self, publisher_id: str, session_id: str) -> None:
        """`publisher_id`'s camera started sending in `session_id`: its early window opens."""
        self._streams[publisher_id] = (session_id, Schedule(started_at=self._now()))

    def stopped(self, publisher_id: str) -> None:
        self._streams.pop(publisher_id, None)
        self._stills.pop(publisher_id, None)

    def last_still(self, session_id: str, publisher_id: str) -> bytes | None:
        """The JPEG of the last frame checked of `publisher_id`'s camera in `session_id`."""
        held = self._stills.get(publisher_id)
        return held[1] if held is not None and held[0] == session_id else None

    def report(self, publisher_id: str) -> None:
        stream = self._streams.get(publisher_id)
        if stream is not None:
            stream[1].report(self._now(), self._settings.rules)

    def offer(self, publisher_id: str, frame: av.VideoFrame) -> bool:
        """A decoded frame of `publisher_id`'s camera: checked if its schedule says so."""
        stream = self._streams.get(publisher_id)
        if stream is None or publisher_id in self._in_flight:
            return False
        session_id, schedule = stream
        now = self._now()
        if not schedule.due(now, self._settings.rules):
            return False
        schedule.take(now)
        self._in_flight.add(publisher_id)
        call_soon = self._call_soon or _soon_unless_closed(asyncio.get_running_loop())
        # Scaled here, before the renditions get the frame: scaling it writes to the frame's
        # colour fields for a moment, and an encoder thread scaling it too would read them.
        started = time.thread_time()
        box = self._settings.still_max_px
        width, height = fit_within(frame.width, frame.height, box, box)
        scaled = self._scaler.reformat(frame, width=width, height=height, format="rgb24")
        rgb = cast("RgbImage", scaled.to_ndarray())
        future = self._executor.submit(self._check, rgb, time.thread_time() - started)

        def done(result: Future[tuple[float, float, bytes]]) -> None:
            call_soon(self._checked, publisher_id, session_id, result)

        future.add_done_callback(done)
        return True

    def _checked(
        self, publisher_id: str, session_id: str, result: Future[tuple[float, float, bytes]]
    ) -> None:
        self._in_flight.discard(publisher_id)
        if result.cancelled():
            return  # the SFU is closing: its executor dropped the checks not begun
        score, cpu_s, still = result.result()  # a classifier's error is a bug: let it show
        self.frames_checked += 1
        self.check_seconds_total += cpu_s
        stream = self._streams.get(publisher_id)
        if stream is not None and stream[0] == session_id:  # not stopped meanwhile
            self._stills[publisher_id] = (session_id, still)
        self._deliver(
            FrameChecked(
                publisher_id=publisher_id,
                session_id=session_id,
                score=score,
                cpu_s=cpu_s,
                still=still if score >= self._settings.report_at else None,
            )
        )

    def _check(self, rgb: RgbImage, scale_s: float) -> tuple[float, float, bytes]:
        # On the sampler's thread: the picture is this function's alone and dies with it.
        if self._classifier is None:
            self._classifier = self._build()  # loading the model is not a check's cost
        started = time.thread_time()
        score = self._classifier.score(rgb)
        return score, scale_s + time.thread_time() - started, _jpeg(rgb)


def _soon_unless_closed(loop: asyncio.AbstractEventLoop) -> Callable[..., None]:
    """`loop.call_soon_threadsafe` from the checking thread, except once the loop has closed: the
    SFU shut down while a frame was being checked, no one is left to take its result, and the
    result (its still with it) is dropped, quietly (TEL-3: it was never written anywhere)."""

    def call_soon(callback: Callable[..., object], *args: object) -> None:
        try:
            loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:
            if not loop.is_closed():  # any other refusal is a bug: let it show
                raise

    return call_soon


def _jpeg(rgb: RgbImage) -> bytes:
    from PIL import Image  # loaded on the sampler's thread at its first check, not at start

    with io.BytesIO() as out:
        Image.fromarray(rgb).save(out, format="JPEG", quality=STILL_JPEG_QUALITY)
        return out.getvalue()


def frame_sampler_of(
    checks: FrameCheckLimits,
    executor: Executor,
    deliver: Callable[[FrameChecked], None],
    classifier: Callable[[], FrameClassifier] | None = None,
) -> FrameSampler | None:
    """The sampler config asks for (None: frame checks are off), with config's classifier
    unless `classifier` builds another (tests)."""
    if not checks.enabled:
        return None
    settings = SamplerSettings(
        rules=msgspec.convert(checks, SamplingRules, from_attributes=True),
        report_at=checks.report_at,
        still_max_px=checks.still_max_px,
    )

    def configured() -> FrameClassifier:
        return build_classifier(checks.classifier, checks.classifier_threads)

    return FrameSampler(settings, classifier or configured, executor, deliver)
