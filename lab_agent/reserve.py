"""The reserve loop's clips (LAB-6): the operator's own (any video in reserve/), or, when there
are none, clips generated once from ffmpeg's test sources; prepared like any item."""

from __future__ import annotations

import logging
from pathlib import Path

import trio

from lab_agent import ffmpeg
from lab_agent.contracts import OwnerCard
from lab_agent.prepare import Preparer
from lab_agent.prepared import PreparedItem
from lab_agent.settings import Ladder

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = frozenset({".mp4", ".mkv", ".mov", ".ts", ".webm"})


async def reserve_sources(
    folder: Path, count: int, clip_s: float, ladder: Ladder, *, niceness: int = 0
) -> list[Path]:
    """The clips in `folder`, generating `count` test clips when it has none."""
    await trio.Path(folder).mkdir(parents=True, exist_ok=True)
    found = await _videos(folder)
    if found:
        return found
    top = ladder.renditions[0]
    for index in range(count):
        dest = folder / f"generated-{index:02d}.mkv"
        partial = folder / f"generated-{index:02d}.part"
        args = ffmpeg.reserve_clip_args(partial, clip_s, index, top.width, top.height)
        result = await ffmpeg.run(args, niceness=niceness)
        if result.returncode != 0:
            raise ffmpeg.ToolFailed("ffmpeg", result.stderr.decode(errors="replace")[-300:])
        await trio.Path(partial).rename(dest)
        log.info("generated reserve clip %s", dest.name)
    return await _videos(folder)


async def _videos(folder: Path) -> list[Path]:
    found = [Path(p) for p in await trio.Path(folder).iterdir()]
    return sorted(p for p in found if p.suffix in VIDEO_SUFFIXES)


async def prepare_reserve(
    preparer: Preparer, folder: Path, count: int, clip_s: float, ladder: Ladder, card: OwnerCard
) -> list[PreparedItem]:
    """Every reserve clip prepared (cached after the first time); the ones QA rejects are left
    out, and at least one must remain."""
    prepared = []
    for path in await reserve_sources(folder, count, clip_s, ladder, niceness=preparer.niceness):
        try:
            prepared.append(
                await preparer.prepare(f"reserve-{path.stem}", path, ladder, card, reserve=True)
            )
        except Exception:
            log.exception("reserve clip %s cannot air", path.name)
    if not prepared:
        raise RuntimeError(f"no reserve clip in {folder} passes QA (LAB-6)")
    return prepared
