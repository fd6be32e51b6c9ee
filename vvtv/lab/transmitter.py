"""The Transmitter (LAB-5): stitches prepared segments into live HLS playlists on the wall clock.

It never encodes: each tick it appends one prepared segment (the same instant in every rendition)
to the sliding window and rewrites the playlists; then it sleeps until that segment's slot ends.
The window and the cursor live in this object and in `state.json`, so a restarted loop (or
process) continues the same sequence numbers (LAB-6: players never see a playlist go back).
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path

import msgspec
import trio

from vvtv.clock import WallClock
from vvtv.domain.lab.emergency import AirSituation
from vvtv.domain.lab.emergency import Source
from vvtv.domain.lab.emergency import choose_source
from vvtv.domain.lab.playlist import LiveWindow
from vvtv.domain.lab.playlist import Variant
from vvtv.domain.lab.playlist import WindowEntry
from vvtv.domain.lab.playlist import append
from vvtv.domain.lab.playlist import next_program_date
from vvtv.domain.lab.playlist import render_master
from vvtv.domain.lab.playlist import render_media
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.domain.lab.prepared import SegmentGroup
from vvtv.lab.metrics import LabMetrics
from vvtv.lab.playout_queue import BroadcastQueue

log = logging.getLogger(__name__)

MEDIA_PREFIX = "../media/"  # playlists live in live/<rung>/, segments in live/media/
STATE_FILE = "state.json"


class Cursor(msgspec.Struct, kw_only=True):
    item: PreparedItem
    index: int = 0
    source: Source = "plan"


class TransmitterState(msgspec.Struct, kw_only=True):
    window: LiveWindow
    reserve_position: int = 0


class OnItem(msgspec.Struct, frozen=True, kw_only=True):
    """An item went on air: what, when and why (for the curator audit, TEL-6)."""

    item_id: str
    program_date: float
    source: Source
    why: str


class Transmitter:
    def __init__(
        self,
        live_dir: Path,
        variants: Sequence[Variant],
        segment_s: float,
        window_segments: int,
        queue: BroadcastQueue,
        reserve: Sequence[PreparedItem],
        pipeline_up: Callable[[], bool],
        clock: WallClock,
        *,
        resume_slack_s: float,
        min_dwell_s: float,
        metrics: LabMetrics | None = None,
        on_item: Callable[[OnItem], Awaitable[None]] | None = None,
    ) -> None:
        if not reserve:
            raise ValueError("the transmitter needs at least one reserve clip (LAB-6)")
        self.live_dir = live_dir
        self._variants = tuple(variants)
        self._segment_s = segment_s
        self._queue = queue
        self._reserve = tuple(reserve)
        self._pipeline_up = pipeline_up
        self._clock = clock
        self._resume_slack_s = resume_slack_s
        self._min_dwell_s = min_dwell_s
        self._metrics = metrics
        self._on_item = on_item
        self.state = self._load_state(window_segments)
        self.cursor: Cursor | None = None
        self.reserve_since: float | None = None
        self.history: deque[WindowEntry] = deque(maxlen=4096)  # what aired, for status and tests
        self.switches: list[tuple[float, Source]] = []  # (trio time, new source)
        self.ticks = 0

    @property
    def window(self) -> LiveWindow:
        return self.state.window

    @property
    def on_air(self) -> Source | None:
        return self.cursor.source if self.cursor is not None else None

    @property
    def reserve(self) -> tuple[PreparedItem, ...]:
        return self._reserve

    def add_reserve(self, item: PreparedItem) -> None:
        """One more clip for the reserve loop: the channel airs its first clip while the others
        are made."""
        if all(clip.prepared_id != item.prepared_id for clip in self._reserve):
            self._reserve = (*self._reserve, item)

    async def run(self, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Publish forever; `task_status.started()` after the first segment is on air."""
        self._write_master()
        deadline = trio.current_time()
        started = False
        while True:
            await self.tick()
            if not started:
                task_status.started()
                started = True
            duration = self.window.entries[-1].duration_s
            now = trio.current_time()
            lag = now - deadline
            if self._metrics is not None:
                self._metrics.transmitter_lag.set(max(0.0, lag))
            # Behind by more than a segment (a stall, a suspended machine): restart the pacing
            # from now rather than bursting segments out to catch up.
            deadline = now + duration if lag > duration else deadline + duration
            await trio.sleep_until(deadline)

    async def tick(self) -> WindowEntry:
        """Append the next segment and rewrite the playlists."""
        segment, item, discontinuity, source = await self._next_segment()
        program_date = next_program_date(self.window, self._clock().timestamp(), self._segment_s)
        self.state.window = append(
            self.window,
            segment,
            program_date=program_date,
            discontinuity=discontinuity,
            item_id=item.item_id,
            reserve=source == "reserve",
        )
        entry = self.window.entries[-1]
        # A few hundred bytes to page cache: cheaper inline than a thread hop, and it keeps the
        # pacing exact (the loop does nothing else between two segments).
        self._write_playlists()
        self.history.append(entry)
        self.ticks += 1
        if self._metrics is not None:
            self._metrics.segments_aired.inc()
            self._metrics.media_sequence.set(self.window.media_sequence)
        if discontinuity:
            await self._announce(item, source, program_date)
        return entry

    async def _next_segment(self) -> tuple[SegmentGroup, PreparedItem, bool, Source]:
        cursor = self.cursor
        at_end = cursor is None or cursor.index >= len(cursor.item.segments)
        situation = AirSituation(
            on_air=cursor.source if cursor is not None else "reserve",
            at_item_end=at_end,
            pipeline_up=self._pipeline_up(),
            queue_slack_s=self._queue.slack_s(),
            queue_items=len(self._queue),
            reserve_since=self.reserve_since,
            now=trio.current_time(),
        )
        wanted = choose_source(
            situation, resume_slack_s=self._resume_slack_s, min_dwell_s=self._min_dwell_s
        )
        switching = cursor is None or wanted != cursor.source
        if switching or at_end:
            cursor = self._start_item(wanted)
            if switching:
                self._switched(wanted)
        assert cursor is not None
        segment = cursor.item.segments[cursor.index]
        discontinuity = cursor.index == 0
        cursor.index += 1
        return segment, cursor.item, discontinuity, cursor.source

    def _start_item(self, source: Source) -> Cursor:
        item = self._queue.pop() if source == "plan" else None
        if item is None:
            source = "reserve"
            item = self._reserve[self.state.reserve_position % len(self._reserve)]
            self.state.reserve_position += 1
        self.cursor = Cursor(item=item, source=source)
        return self.cursor

    def _switched(self, source: Source) -> None:
        now = trio.current_time()
        # Going on air on the reserve (nothing prepared yet at start) is expected; only leaving
        # the plan for it is an emergency.
        emergency = source == "reserve" and bool(self.switches)
        self.switches.append((now, source))
        self.reserve_since = now if source == "reserve" else None
        if self._metrics is not None:
            self._metrics.emergency.set(1 if source == "reserve" else 0)
            self._metrics.emergency_switches.labels(source).inc()
        if emergency:
            log.warning("on air: reserve loop (emergency)")
        else:
            log.info("on air: %s", "reserve loop" if source == "reserve" else "plan")

    async def _announce(self, item: PreparedItem, source: Source, program_date: float) -> None:
        if self._on_item is None:
            return
        if source == "reserve":
            why = (
                "reserve loop: pipeline down"
                if not self._pipeline_up()
                else "reserve loop: queue dry"
            )
        elif item.substituted_for:
            why = f"plan: substitute for {item.substituted_for}"
        else:
            why = "plan"
        await self._on_item(
            OnItem(item_id=item.item_id, program_date=program_date, source=source, why=why)
        )

    # -- files: written to a temporary name and renamed, so a reader never sees half a playlist

    def _write_master(self) -> None:
        _atomic_write(self.live_dir / "master.m3u8", render_master(self._variants).encode())

    def _write_playlists(self) -> None:
        for index, variant in enumerate(self._variants):
            text = render_media(self.window, index, self._segment_s, MEDIA_PREFIX)
            _atomic_write(self.live_dir / variant.name / "index.m3u8", text.encode())
        _atomic_write(self.live_dir / STATE_FILE, msgspec.json.encode(self.state))

    def _load_state(self, window_segments: int) -> TransmitterState:
        path = self.live_dir / STATE_FILE
        try:
            state = msgspec.json.decode(path.read_bytes(), type=TransmitterState)
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            return TransmitterState(window=LiveWindow(size=window_segments))
        state.window = msgspec.structs.replace(state.window, size=window_segments)
        return state


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_bytes(data)
    os.replace(partial, path)
