"""The reserve loop on a first start (LAB-6): on air with the first clip while the others are
made, the generated clips are a slate (brand, message, clock), and an empty catalog is a hint in
the log, not an alert."""

from __future__ import annotations

import logging
import shlex
from collections.abc import AsyncGenerator
from pathlib import Path

import msgspec
import pytest
import trio
import trio.testing

from tests.lab.conftest import fake_prepared, make_clip, open_lab, small_settings
from vvtv.contracts.lab import LabReport, NewMediaItem, OwnerCard
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.lab import ffmpeg
from vvtv.lab.cli import parser as lab_parser
from vvtv.lab.journal import MemoryJournal
from vvtv.lab.prepare import Preparer
from vvtv.lab.reserve import Slate, reserve_items
from vvtv.lab.settings import LabSettings, Ladder

pytestmark = pytest.mark.req("LAB-6")


class SlowReserve:
    """A reserve whose first clip is ready at once and whose others wait for `release`."""

    def __init__(self) -> None:
        self.release = trio.Event()

    async def __call__(self, ladder: Ladder, card: OwnerCard) -> AsyncGenerator[PreparedItem, None]:
        yield fake_prepared("reserve-00", 2, reserve=True)
        await self.release.wait()
        for name in ("reserve-01", "reserve-02"):
            yield fake_prepared(name, 2, reserve=True)


async def test_the_channel_airs_the_first_reserve_clip_without_waiting_for_the_rest(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """A first start makes the reserve clips one at a time: the channel is on air with the first
    as soon as it exists, and the others join the loop when they are ready."""
    reserve = SlowReserve()
    async with (
        open_lab(small_settings(tmp_path), reserve=reserve) as lab,
        trio.open_nursery() as nursery,
    ):
        with trio.fail_after(10):  # a runtime waiting for every clip would never start
            await nursery.start(lab.run)
        transmitter = lab.transmitter
        assert transmitter is not None
        assert lab.status().on_air == "reserve"
        assert "#EXTINF" in (lab.paths.live / "broadcast_720p" / "index.m3u8").read_text()
        await trio.sleep(20)  # the others are still being made: the first clip loops
        assert [clip.item_id for clip in transmitter.reserve] == ["reserve-00"]
        reserve.release.set()
        await trio.sleep(60)  # several rounds of the (now three clips) loop
        nursery.cancel_scope.cancel()
    assert [clip.item_id for clip in transmitter.reserve] == [
        "reserve-00", "reserve-01", "reserve-02",
    ]  # fmt: skip
    aired = {entry.item_id for entry in transmitter.history}
    assert aired == {"reserve-00", "reserve-01", "reserve-02"}


async def test_with_no_reserve_clip_the_channel_does_not_start(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """Every reserve clip rejected: `run` fails (the server logs the channel off air)."""

    async def none_pass(ladder: Ladder, card: OwnerCard) -> AsyncGenerator[PreparedItem, None]:
        return
        yield  # an async generator that yields nothing

    async with open_lab(small_settings(tmp_path), reserve=none_pass) as lab:
        with pytest.raises(RuntimeError, match="no reserve clip"):
            await lab.run()


class ThreeChecks:
    """A status sink that says when the third health check has reported."""

    def __init__(self) -> None:
        self.reports: list[LabReport] = []
        self.third = trio.Event()

    async def push(self, report: LabReport) -> None:
        self.reports.append(report)
        if len(self.reports) >= 3:
            self.third.set()


async def _first_start_log(
    settings: LabSettings, caplog: pytest.LogCaptureFixture, *, media: bool
) -> list[logging.LogRecord]:
    """The lab's log records over three health checks after a first start."""

    async def reserve(ladder: Ladder, card: OwnerCard) -> AsyncGenerator[PreparedItem, None]:
        yield fake_prepared("reserve-00", 2, reserve=True)

    caplog.set_level(logging.DEBUG, logger="vvtv.lab")
    sink = ThreeChecks()
    async with open_lab(settings, reserve=reserve, sink=sink) as lab:
        if media:
            # Media that never gets prepared: the queue stays dry although there is media.
            missing = str(settings.data_dir / "missing.mp4")
            await lab.catalog.add(NewMediaItem(id="clip", source=missing, duration_s=60), None)
        async with trio.open_nursery() as nursery:
            await nursery.start(lab.run)
            # Health checks counted, not seconds: while a store call is in its thread, the mock
            # clock jumps to the next timer, so a minute can pass before the first check ends.
            await sink.third.wait()
            nursery.cancel_scope.cancel()
    return [record for record in caplog.records if record.name.startswith("vvtv.lab")]


async def test_a_first_start_with_an_empty_catalog_says_how_to_add_media_and_does_not_warn(
    tmp_path: Path, autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    """One INFO line says how to add media; the slate on air and the dry queue are expected with
    nothing to air, so they are not WARNINGs."""
    settings = small_settings(tmp_path, health_check_interval_s=5)
    records = await _first_start_log(settings, caplog, media=False)
    hints = [record for record in records if "vvtv lab" in record.getMessage()]
    assert len(hints) == 1
    assert hints[0].levelno == logging.INFO
    # The hint is a command that works: `vvtv lab …` hands its arguments to the agent's CLI.
    command = shlex.split(hints[0].getMessage().split("`")[1])
    assert command[:2] == ["vvtv", "lab"]
    args = lab_parser().parse_args(command[2:])
    assert (args.command, args.source, args.data) == ("add", "FILE_OR_URL", settings.data_dir)
    assert [r.getMessage() for r in records if r.levelno >= logging.WARNING] == []


async def test_a_dry_queue_with_media_in_the_catalog_still_warns(
    tmp_path: Path, autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    """LAB-7: with media to air and nothing prepared, the queue alert is a WARNING."""
    settings = small_settings(tmp_path, health_check_interval_s=5)
    records = await _first_start_log(settings, caplog, media=True)
    assert not [record for record in records if "vvtv lab" in record.getMessage()]
    alerts = [record for record in records if "LAB-7 alert" in record.getMessage()]
    assert [record.levelno for record in alerts] == [logging.WARNING]


# -- the generated slate, with real ffmpeg


@pytest.fixture
def preparer(tmp_path: Path) -> Preparer:
    return Preparer(tmp_path / "media", small_settings(tmp_path).limits, MemoryJournal())


async def _generate(preparer: Preparer, folder: Path, slate: Slate) -> list[PreparedItem]:
    settings = small_settings(folder.parent)
    ladder = settings.ladder(("broadcast_720p", "broadcast_360p"))
    made = reserve_items(preparer, folder, slate, 2, 4.0, ladder, OwnerCard())
    return [item async for item in made]


@pytest.mark.slow
async def test_the_generated_reserve_is_a_slate_that_passes_qa(
    tmp_path: Path, preparer: Preparer
) -> None:
    """With no clip of the operator's, the reserve is generated slates: `reserve_clip_s` long,
    video at the top rung's size with audio, past QA (a dark slate is not "black", its tone is
    not "silent"); made once, and made anew (the old ones dropped) when the text changes. Any
    brand survives ffmpeg's filter syntax."""
    folder = tmp_path / "reserve"
    slate = Slate(
        brand="It's 100%: [VV], ok; a\\b", message="Back soon · Voltamos já",
        font=Path(small_settings(tmp_path).limits.slate_font),
    )  # fmt: skip
    items = await _generate(preparer, folder, slate)
    assert [item.reserve for item in items] == [True, True]
    assert [round(item.duration_s) for item in items] == [4, 4]
    clips = sorted(folder.iterdir())
    assert len(clips) == 2
    probe = await ffmpeg.probe(clips[0])
    assert (probe.has_video, probe.has_audio) == (True, True)
    assert (probe.width, probe.height) == (256, 144)  # the top rung of the small ladder
    assert probe.duration_s == pytest.approx(4.0, abs=0.1)

    made = {clip: clip.stat().st_mtime_ns for clip in clips}
    assert await _generate(preparer, folder, slate) == items
    assert {clip: clip.stat().st_mtime_ns for clip in sorted(folder.iterdir())} == made

    renamed = msgspec.structs.replace(slate, brand="Voulezvous")
    assert len(await _generate(preparer, folder, renamed)) == 2
    remade = sorted(folder.iterdir())
    assert len(remade) == 2
    assert not set(remade) & set(clips)


@pytest.mark.slow
async def test_without_the_font_the_slate_airs_without_text(
    tmp_path: Path, preparer: Preparer, caplog: pytest.LogCaptureFixture
) -> None:
    """A missing font is a warning, not a channel off the air."""
    slate = Slate(brand="Voulezvous", message="", font=tmp_path / "no-such-font.ttf")
    assert len(await _generate(preparer, tmp_path / "reserve", slate)) == 2
    assert any(
        "no font at" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
    )


@pytest.mark.slow
async def test_the_operators_own_clips_replace_the_slate(
    tmp_path: Path, preparer: Preparer
) -> None:
    """Any video of the operator's in reserve/ is the reserve loop; nothing is generated."""
    folder = tmp_path / "reserve"
    folder.mkdir()
    make_clip(folder / "own.mp4", 3)
    slate = Slate(brand="Voulezvous", message="", font=tmp_path / "unused.ttf")
    items = await _generate(preparer, folder, slate)
    assert [item.item_id for item in items] == ["reserve-own"]
    assert sorted(path.name for path in folder.iterdir()) == ["own.mp4"]
