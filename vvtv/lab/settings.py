"""What the agent reads from config: the `lab` limits and the channel's rendition ladder.

Built once from the ConfigBundle (INV-6); tests build smaller ones directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import msgspec

from vvtv.config import ConfigBundle
from vvtv.config.schema.limits import LabLimits
from vvtv.errors import BadRequest
from vvtv.store import DATABASE_FILE


class Rendition(msgspec.Struct, frozen=True, kw_only=True):
    """One rung of the HLS ladder, from a `broadcast` media profile."""

    name: str
    width: int
    height: int
    fps: float
    video_kbps: int
    audio_kbps: int
    gop_s: float

    @property
    def bandwidth_bps(self) -> int:
        return (self.video_kbps + self.audio_kbps) * 1000


class Ladder(msgspec.Struct, frozen=True, kw_only=True):
    renditions: tuple[Rendition, ...]
    segment_s: float
    window_segments: int


LAB_DIR = "lab"


class LabPaths(msgspec.Struct, frozen=True):
    """Where the channel keeps its files in a data folder laid out as `vvtv serve`'s: the one
    database, and beside it `lab/` (downloads, reserve clips, the live HLS)."""

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DATABASE_FILE

    @property
    def root(self) -> Path:
        return self.data_dir / LAB_DIR

    @property
    def live(self) -> Path:
        return self.root / "live"

    @property
    def media(self) -> Path:
        """Prepared segments: served as live/media/… next to the playlists."""
        return self.root / "live" / "media"

    @property
    def downloads(self) -> Path:
        return self.root / "downloads"

    @property
    def reserve(self) -> Path:
        return self.root / "reserve"


class LabSettings(msgspec.Struct, frozen=True, kw_only=True):
    limits: LabLimits
    profiles: Mapping[str, Rendition]  # every broadcast profile, by name
    segment_s: float
    window_segments: int
    data_dir: Path  # the data folder (`vvtv serve --data`); the channel's files are in `lab/`
    brand: str  # the worn skin's name (OPS-3): the generated reserve slate shows it
    agent_name: str = "lab"

    @property
    def paths(self) -> LabPaths:
        return LabPaths(self.data_dir)

    def ladder(self, names: tuple[str, ...]) -> Ladder:
        """The ladder the OwnerCard names; BadRequest for a name that is no broadcast profile."""
        unknown = [name for name in names if name not in self.profiles]
        if unknown:
            raise BadRequest(
                f"not broadcast profiles of media-profiles.yaml: {', '.join(unknown)}",
                code="unknown_profile",
                path="$.ladder",
            )
        return Ladder(
            renditions=tuple(self.profiles[name] for name in names),
            segment_s=self.segment_s,
            window_segments=self.window_segments,
        )


def broadcast_renditions(bundle: ConfigBundle) -> dict[str, Rendition]:
    renditions = {}
    for name, profile in bundle.media.profiles.items():
        if profile.kind != "broadcast":
            continue
        audio = profile.audio
        audio_kbps = audio.max_bitrate_kbps if not isinstance(audio, bool) else 0
        renditions[name] = Rendition(
            name=name,
            width=profile.video.width,
            height=profile.video.height,
            fps=profile.video.fps,
            video_kbps=profile.video.max_bitrate_kbps,
            audio_kbps=audio_kbps or 96,
            gop_s=profile.video.keyframe_interval_s,
        )
    return renditions


def settings_from_config(
    bundle: ConfigBundle, data_dir: Path, agent_name: str = "lab"
) -> LabSettings:
    ladder = bundle.media.broadcast_ladder
    return LabSettings(
        limits=bundle.limits.lab,
        profiles=broadcast_renditions(bundle),
        segment_s=ladder.segment_s,
        window_segments=ladder.playlist_window_segments,
        data_dir=Path(data_dir),
        brand=bundle.theme.brand,
        agent_name=agent_name,
    )


def default_ladder_names(bundle: ConfigBundle) -> tuple[str, ...]:
    return tuple(bundle.media.broadcast_ladder.renditions)
