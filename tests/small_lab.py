"""A small LAB for the channel's tests (unit, service and e2e alike): the shipped limits with
overrides, a tiny ladder, a runtime over its own database, fake prepared items, test clips."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import msgspec
from prometheus_client import CollectorRegistry

from vvtv.actors import open_registry
from vvtv.config import build_runtime_config
from vvtv.config.schema.limits import LabLimits
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.domain.lab.prepared import SegmentGroup
from vvtv.lab.runtime import LabRuntime
from vvtv.lab.settings import LabSettings
from vvtv.lab.settings import Rendition
from vvtv.runtime import actor_settings
from vvtv.runtime import open_store

REPO = Path(__file__).resolve().parent.parent


def shipped_limits() -> LabLimits:
    return build_runtime_config(REPO / "config").limits.lab


def lab_limits(**overrides: Any) -> LabLimits:
    return msgspec.structs.replace(shipped_limits(), **overrides)


# A tiny ladder under the shipped profile names: the mechanics are the same, the encode is cheap.
SMALL_PROFILES = {
    "broadcast_720p": Rendition(
        name="broadcast_720p", width=256, height=144, fps=15, video_kbps=300, audio_kbps=64,
        gop_s=2.0,
    ),
    "broadcast_360p": Rendition(
        name="broadcast_360p", width=128, height=72, fps=15, video_kbps=120, audio_kbps=48,
        gop_s=2.0,
    ),
}  # fmt: skip


def small_settings(data_dir: Path, **limits: Any) -> LabSettings:
    return LabSettings(
        limits=lab_limits(**limits),
        profiles=SMALL_PROFILES,
        segment_s=2.0,
        window_segments=5,
        data_dir=data_dir,
        brand="Voulezvous",
    )


@asynccontextmanager
async def open_lab(settings: LabSettings, **options: Any) -> AsyncIterator[LabRuntime]:
    """A LAB runtime over its own database in `settings.data_dir` and its own actor registry
    (as `vvtv lab serve` opens them); `options` go to `LabRuntime.open`."""
    registry = options.pop("registry", None) or CollectorRegistry()
    config = build_runtime_config(REPO / "config")
    async with (
        open_store(config, settings.data_dir) as database,
        open_registry(actor_settings(config)) as actors,
    ):
        yield await LabRuntime.open(settings, registry, database, actors, **options)


def fake_prepared(item_id: str, segments: int, *, seconds: float = 2.0, reserve: bool = False):  # type: ignore[no-untyped-def]
    return PreparedItem(
        prepared_id=f"{item_id}-p",
        item_id=item_id,
        renditions=("hi", "lo"),
        segments=tuple(
            SegmentGroup(
                duration_s=seconds,
                uris=(f"{item_id}-p/hi/seg_{i:05d}.ts", f"{item_id}-p/lo/seg_{i:05d}.ts"),
            )
            for i in range(segments)
        ),
        reserve=reserve,
    )


def make_clip(
    path: Path,
    seconds: float,
    *,
    volume_db: float = -20.0,
    frequency: int = 440,
    black: bool = False,
) -> Path:
    """An ffmpeg test clip: pattern (or black) video and a sine tone at `volume_db`."""
    video = (
        f"color=c=black:size=160x90:rate=15:duration={seconds}"
        if black
        else f"testsrc2=size=160x90:rate=15:duration={seconds}"
    )
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", video,
         "-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate=48000:duration={seconds}",
         "-af", f"volume={volume_db}dB", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path
