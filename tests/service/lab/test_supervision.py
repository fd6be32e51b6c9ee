"""The transmitter and the pipeline are services of the actor kernel's supervisor (LAB-7): a
crashing pipeline is restarted within the lab's restart intensity, then given up on, while the
reserve loop airs; the registry's statistics count both services."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path

import pytest
import trio
import trio.testing

from tests.small_lab import fake_prepared
from tests.small_lab import open_lab
from tests.small_lab import small_settings
from vvtv.contracts.lab import NewMediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.lab.settings import Ladder
from vvtv.lab.supervisor import PIPELINE
from vvtv.lab.supervisor import TRANSMITTER

pytestmark = pytest.mark.req("LAB-7")


class BrokenSource:
    """A media source with a bug: every call raises (not a SourceUnavailable to retry)."""

    async def available(self, source: str) -> bool:
        raise RuntimeError("the source adapter has a bug")

    async def fetch(self, source: str, dest: Path) -> tuple[Path, int]:
        raise RuntimeError("the source adapter has a bug")


async def one_clip(ladder: Ladder, card: OwnerCard) -> AsyncGenerator[PreparedItem, None]:
    yield fake_prepared("reserve-00", 2, reserve=True)


async def test_a_crashing_pipeline_is_restarted_by_the_kernel_then_given_up_on(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    settings = small_settings(
        tmp_path, transmitter_max_restarts=2, restart_window_s=600, restart_backoff_s=1
    )
    async with (
        open_lab(
            settings,
            source=BrokenSource(),
            reserve=one_clip,
            default_card=OwnerCard(no_repeat_window_s=0),  # the same item, planned again
        ) as lab,
        trio.open_nursery() as nursery,
    ):
        await lab.catalog.add(NewMediaItem(id="clip", source="/media/clip.mp4", duration_s=6), None)
        await nursery.start(lab.run)
        for _ in range(600):  # the crashes wait on store threads: count them, not seconds
            if lab.status().pipeline == "failed" and lab.status().pipeline_restarts == 2:
                break
            await trio.sleep(1)
        stats = lab.supervisor.statistics()
        status = lab.status()
        nursery.cancel_scope.cancel()
    pipeline, transmitter = stats[PIPELINE], stats[TRANSMITTER]
    assert (pipeline.crashes_total, pipeline.restarts_total, pipeline.gave_up_total) == (3, 2, 1)
    assert (transmitter.actors_live, transmitter.crashes_total) == (1, 0)
    assert (status.pipeline, status.pipeline_restarts, status.on_air) == ("failed", 2, "reserve")
    assert status.last_error is not None
    assert "giving up" in status.last_error
    assert "pipeline failed" in " ".join(lab.health(status).alerts)
