"""The live playlists (LAB-5) and the switches to and from the reserve loop (LAB-6), on a fake
clock: sliding window, discontinuities, program date times and sequence numbers."""

from __future__ import annotations

import itertools
import logging
import re
from datetime import datetime
from pathlib import Path

import pytest
import trio
import trio.testing

from tests.small_lab import fake_prepared
from vvtv.clock import ManualClock
from vvtv.domain.lab.playlist import LiveWindow
from vvtv.domain.lab.playlist import Variant
from vvtv.domain.lab.playlist import append
from vvtv.domain.lab.playlist import next_program_date
from vvtv.domain.lab.playlist import render_media
from vvtv.domain.lab.prepared import SegmentGroup
from vvtv.lab.playout_queue import BroadcastQueue
from vvtv.lab.transmitter import Transmitter

VARIANTS = [
    Variant(name="hi", bandwidth_bps=2_000_000, width=1280, height=720),
    Variant(name="lo", bandwidth_bps=800_000, width=640, height=360),
]


class Pipeline:
    up = True

    def __call__(self) -> bool:
        return self.up


def make_transmitter(live: Path, queue: BroadcastQueue, pipeline: Pipeline) -> Transmitter:
    return Transmitter(
        live, VARIANTS, 2.0, 4, queue, [fake_prepared("reserve", 3, reserve=True)], pipeline,
        ManualClock(follow_trio=True), resume_slack_s=6.0, min_dwell_s=4.0,
    )  # fmt: skip


def parse(playlist: str) -> dict[str, object]:
    media_sequence = int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", playlist)[1])  # type: ignore[index]
    discontinuity = int(re.search(r"#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)", playlist)[1])  # type: ignore[index]
    dates = [
        datetime.fromisoformat(d.replace("Z", "+00:00")).timestamp()
        for d in re.findall(r"#EXT-X-PROGRAM-DATE-TIME:(\S+)", playlist)
    ]
    uris = [line for line in playlist.splitlines() if line and not line.startswith("#")]
    return {"ms": media_sequence, "ds": discontinuity, "dates": dates, "uris": uris}


def test_the_window_slides_and_counts_discontinuities_that_leave_it() -> None:
    """LAB-5: window of N segments; EXT-X-DISCONTINUITY-SEQUENCE grows when a tag leaves."""
    window = LiveWindow(size=3)
    segment = SegmentGroup(duration_s=2.0, uris=("a.ts", "b.ts"))
    at = 1000.0
    for index, new_item in enumerate([True, False, True, False, False, True]):
        window = append(window, segment, program_date=at, discontinuity=new_item,
                        item_id=str(index), reserve=False)  # fmt: skip
        at += 2.0
    assert [e.sequence for e in window.entries] == [3, 4, 5]
    assert window.media_sequence == 3
    assert window.discontinuity_sequence == 1  # the tag on segment 2 left; segment 0 had none
    text = render_media(window, 1, 2.0, "../media/")
    assert text.count("#EXT-X-DISCONTINUITY\n") == 1
    assert "../media/b.ts" in text


def test_program_dates_chain_and_only_jump_forward_after_a_stall() -> None:
    """LAB-5: PDTs are monotonic: chained, re-anchored forward after a stall, never back."""
    segment = SegmentGroup(duration_s=2.0, uris=("a",))
    window = append(
        LiveWindow(size=3), segment, program_date=100.0, discontinuity=False, item_id="x",
        reserve=False,
    )  # fmt: skip
    assert next_program_date(window, 101.0, tolerance_s=2.0) == 102.0  # clock behind: chain
    assert next_program_date(window, 50.0, tolerance_s=2.0) == 102.0  # clock went back: chain
    assert next_program_date(window, 110.0, tolerance_s=2.0) == 110.0  # stalled: jump forward


async def test_playlists_stay_monotonic_across_emergency_switches(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """LAB-6: plan → reserve (pipeline killed) → plan: every reload of the playlist has growing
    media sequence, discontinuity sequence and program date times, with a discontinuity at
    each switch; the reserve is on air within one segment of the kill."""
    queue = BroadcastQueue()
    for name in ("a", "b", "c"):
        queue.push(fake_prepared(name, 3))
    pipeline = Pipeline()
    transmitter = make_transmitter(tmp_path, queue, pipeline)
    snapshots: list[dict[str, object]] = []

    async def reader() -> None:
        while True:
            await trio.sleep(0.5)
            snapshots.append(parse((tmp_path / "lo" / "index.m3u8").read_text()))

    async with trio.open_nursery() as nursery:
        await nursery.start(transmitter.run)
        nursery.start_soon(reader)
        await trio.sleep(7)  # on plan (min dwell covers the start on reserve)
        killed_at = trio.current_time()
        pipeline.up = False
        await trio.sleep(9)
        switched = [
            t for t, source in transmitter.switches if source == "reserve" and t >= killed_at
        ]
        assert switched
        assert switched[0] - killed_at <= 2.0
        pipeline.up = True
        for name in ("d", "e"):
            queue.push(fake_prepared(name, 3))
        await trio.sleep(30)  # c, d and e air (18 s), then the queue runs dry
        nursery.cancel_scope.cancel()

    sources = [source for _, source in transmitter.switches]
    # full queue at start, kill, restore, then the queue runs dry (nothing new was pushed)
    assert sources == ["plan", "reserve", "plan", "reserve"]
    for before, after in itertools.pairwise(snapshots):
        assert after["ms"] >= before["ms"]
        assert after["ds"] >= before["ds"]
        assert after["dates"][0] >= before["dates"][0]  # type: ignore[index]
    every_date = [entry.program_date for entry in transmitter.history]
    assert all(b - a == 2.0 for a, b in itertools.pairwise(every_date))
    aired = [entry.item_id for entry in transmitter.history]
    assert aired.index("d") > aired.index("reserve") > aired.index("a")
    for entry in list(transmitter.history)[1:]:
        # A discontinuity exactly where an item (plan or reserve) starts.
        assert entry.discontinuity == entry.uris[0].endswith("seg_00000.ts")


async def test_a_restarted_transmitter_continues_the_sequence(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """LAB-6/LAB-7: a new Transmitter over the same folder (a restart) keeps counting up."""
    queue = BroadcastQueue()
    first = make_transmitter(tmp_path, queue, Pipeline())
    for _ in range(6):
        await first.tick()
    before = first.window.next_sequence
    second = make_transmitter(tmp_path, queue, Pipeline())
    entry = await second.tick()
    assert entry.sequence == before
    assert entry.discontinuity


async def test_master_playlist_lists_every_rendition(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """LAB-5: a master playlist with one variant per rung of the ladder."""
    transmitter = make_transmitter(tmp_path, BroadcastQueue(), Pipeline())
    with trio.move_on_after(1):
        await transmitter.run()
    master = (tmp_path / "master.m3u8").read_text()
    assert "BANDWIDTH=2000000,RESOLUTION=1280x720\nhi/index.m3u8" in master
    assert "lo/index.m3u8" in master


async def test_only_leaving_the_plan_for_the_reserve_logs_a_warning(
    tmp_path: Path, autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    """LAB-6: going on air on the reserve loop at start (nothing prepared yet) is expected and
    logged as INFO, like the plan's return; the plan giving way to the reserve is an emergency."""
    caplog.set_level(logging.INFO, logger="vvtv.lab.transmitter")
    queue = BroadcastQueue()
    pipeline = Pipeline()
    transmitter = make_transmitter(tmp_path, queue, pipeline)
    async with trio.open_nursery() as nursery:
        await nursery.start(transmitter.run)  # an empty queue: on the reserve
        for name in ("a", "b", "c"):
            queue.push(fake_prepared(name, 3))
        await trio.sleep(8)  # past the min dwell, with the resume slack: on plan
        pipeline.up = False
        await trio.sleep(4)
        nursery.cancel_scope.cancel()
    switches = [
        (record.levelno, record.getMessage())
        for record in caplog.records
        if record.getMessage().startswith("on air")
    ]
    assert switches == [
        (logging.INFO, "on air: reserve loop"),
        (logging.INFO, "on air: plan"),
        (logging.WARNING, "on air: reserve loop (emergency)"),
    ]
