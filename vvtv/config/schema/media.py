"""Typed shape of `config/media-profiles.yaml`: the caps every media session is held to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from typing import Literal

from msgspec import Meta

from vvtv.config.schema.frozen import ConfigStruct

ProfileKind = Literal["thumbnail", "call", "mirror", "broadcast"]
Direction = Literal["send", "recv", "bidirectional", "local"]
Transport = Literal["webrtc", "hls", "local"]
VideoCodec = Literal["vp8", "vp9", "h264", "av1"]
AudioCodec = Literal["opus", "aac"]

Pixels = Annotated[int, Meta(ge=16, le=7680)]
Kbps = Annotated[int, Meta(ge=0)]


class VideoCaps(ConfigStruct):
    width: Pixels
    height: Pixels
    fps: Annotated[float, Meta(gt=0, le=120)]
    max_bitrate_kbps: Kbps
    codec: VideoCodec
    keyframe_interval_s: Annotated[float, Meta(gt=0)] = 2.0


class AudioCaps(ConfigStruct):
    enabled: bool
    max_bitrate_kbps: Kbps = 0
    codec: AudioCodec | None = None


class Profile(ConfigStruct):
    kind: ProfileKind
    description: str
    transport: Transport
    direction: Direction
    video: VideoCaps
    audio: bool | AudioCaps = False
    degrade_to: str | None = None

    @property
    def audio_enabled(self) -> bool:
        return self.audio if isinstance(self.audio, bool) else self.audio.enabled

    @property
    def max_total_kbps(self) -> int:
        """Video + audio ceiling: what a cost estimate multiplies (TEL-4)."""
        audio = (
            self.audio.max_bitrate_kbps
            if isinstance(self.audio, AudioCaps) and self.audio.enabled
            else 0
        )
        return self.video.max_bitrate_kbps + audio


class BroadcastLadder(ConfigStruct):
    renditions: Annotated[tuple[str, ...], Meta(min_length=1)]
    segment_s: Annotated[float, Meta(gt=0)]
    playlist_window_segments: Annotated[int, Meta(ge=2)]


class MediaProfiles(ConfigStruct):
    version: int
    profiles: Mapping[str, Profile]
    broadcast_ladder: BroadcastLadder
