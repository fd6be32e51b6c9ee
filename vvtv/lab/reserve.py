"""The reserve loop's clips (LAB-6): the operator's own (any video in reserve/), or, when there
are none, slate clips generated once (the brand, a line, a running clock); prepared like any item.

They come one at a time, so the first can air while the others are still being made.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncGenerator
from pathlib import Path

import msgspec
import trio

from vvtv.config.schema.limits import LabLimits
from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.channel import VIDEO_SUFFIXES
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.lab import ffmpeg
from vvtv.lab.prepare import Preparer
from vvtv.lab.settings import Ladder

log = logging.getLogger(__name__)

GENERATED_PREFIX = "generated-"


class Slate(msgspec.Struct, frozen=True, kw_only=True):
    """What the generated reserve clips show, from config."""

    brand: str
    message: str
    font: Path

    @classmethod
    def of(cls, brand: str, limits: LabLimits) -> Slate:
        return cls(brand=brand, message=limits.slate_message, font=Path(limits.slate_font))


async def reserve_items(
    preparer: Preparer,
    folder: Path,
    slate: Slate,
    count: int,
    clip_s: float,
    ladder: Ladder,
    card: OwnerCard,
) -> AsyncGenerator[PreparedItem, None]:
    """Each reserve clip, prepared (from cache after the first time), as soon as it is ready;
    the ones QA rejects are logged and left out. ToolFailed when a slate cannot be generated."""
    await trio.Path(folder).mkdir(parents=True, exist_ok=True)
    # Until one clip is ready nothing airs: that work is not niced, the rest is.
    urgent = True
    own = [path for path in await _videos(folder) if not path.name.startswith(GENERATED_PREFIX)]
    if own:
        for path in own:
            if (item := await _prepared(preparer, path, ladder, card, urgent)) is not None:
                urgent = False
                yield item
        return
    top = ladder.renditions[0]
    font: Path | None = slate.font
    if not await trio.Path(slate.font).is_file():
        log.warning("no font at %s (Debian: fonts-dejavu-core): the slate airs without text", font)
        font = None

    def args(dest: Path, index: int) -> list[str]:
        return ffmpeg.slate_args(
            dest, clip_s, index, top.width, top.height,
            brand=slate.brand, message=slate.message, font=font,
        )  # fmt: skip

    # Named by their recipe: a new brand, message, font or size makes new clips (and new
    # prepared items), and the old ones are dropped.
    recipe = hashlib.sha256("\0".join(args(Path(), 0)).encode()).hexdigest()[:8]
    for stale in await _videos(folder):
        if stale.name.startswith(GENERATED_PREFIX) and not stale.stem.startswith(
            f"{GENERATED_PREFIX}{recipe}-"
        ):
            await trio.Path(stale).unlink()
    for index in range(count):
        dest = folder / f"{GENERATED_PREFIX}{recipe}-{index:02d}.mkv"
        if not await trio.Path(dest).is_file():
            partial = dest.with_suffix(".part")
            niceness = 0 if urgent else preparer.niceness
            result = await ffmpeg.run(args(partial, index), niceness=niceness)
            if result.returncode != 0:
                raise ffmpeg.ToolFailed("ffmpeg", result.stderr.decode(errors="replace")[-300:])
            await trio.Path(partial).rename(dest)
            log.info("generated reserve clip %s", dest.name)
        if (item := await _prepared(preparer, dest, ladder, card, urgent)) is not None:
            urgent = False
            yield item


async def _prepared(
    preparer: Preparer, path: Path, ladder: Ladder, card: OwnerCard, urgent: bool
) -> PreparedItem | None:
    try:
        return await preparer.prepare(
            f"reserve-{path.stem}", path, ladder, card, reserve=True, urgent=urgent
        )
    except Exception:
        log.exception("reserve clip %s cannot air", path.name)
        return None


async def _videos(folder: Path) -> list[Path]:
    found = [Path(p) for p in await trio.Path(folder).iterdir()]
    return sorted(p for p in found if p.suffix in VIDEO_SUFFIXES)
