"""The reserve loop on a first start (LAB-6): on air with the first clip while the others are
made, and an empty catalog is a hint in the log, not an alert. The generated slate, made with
real ffmpeg, is proven in tests/e2e/lab/test_reserve_slate.py."""

from __future__ import annotations

import logging
import shlex
from collections.abc import AsyncGenerator
from pathlib import Path

import pytest
import trio
import trio.testing

from tests.small_lab import fake_prepared
from tests.small_lab import open_lab
from tests.small_lab import small_settings
from vvtv.contracts.lab import LabReport
from vvtv.contracts.lab import NewMediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.lab.cli import parser as lab_parser
from vvtv.lab.settings import LabSettings
from vvtv.lab.settings import Ladder

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
