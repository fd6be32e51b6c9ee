"""The generated reserve (LAB-6), with real ffmpeg: with no clip of the operator's, the reserve
loop is a slate (brand, message, clock) that passes QA, made once and made anew when its text
changes; a missing font only loses the text; the operator's own clips replace it."""

from __future__ import annotations

import logging
from pathlib import Path

import msgspec
import pytest

from tests.small_lab import make_clip
from tests.small_lab import small_settings
from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.lab import ffmpeg
from vvtv.lab.journal import MemoryJournal
from vvtv.lab.prepare import Preparer
from vvtv.lab.reserve import Slate
from vvtv.lab.reserve import reserve_items

pytestmark = pytest.mark.req("LAB-6")


@pytest.fixture
def preparer(tmp_path: Path) -> Preparer:
    return Preparer(small_settings(tmp_path), MemoryJournal())


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
