"""What ffprobe and the analysis pass found about a media file: the values the QA rules judge.
`vvtv.lab.ffmpeg` parses the tools' output into these."""

from __future__ import annotations

import math

import msgspec

# Below EBU R128's absolute gate (-70 LUFS) nothing is measured: the programme is silent.
_SILENCE_LUFS = -70.0


class Probe(msgspec.Struct, frozen=True, kw_only=True):
    duration_s: float
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    container_ok: bool = True  # False: no duration in the container (needs a remux)


class Loudness(msgspec.Struct, frozen=True, kw_only=True):
    """loudnorm's first-pass measurement (EBU R128), the inputs of its second, linear pass."""

    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.input_i) or self.input_i <= _SILENCE_LUFS


class Analysis(msgspec.Struct, frozen=True, kw_only=True):
    loudness: Loudness | None  # None: no audio stream
    black_s: float
    raw_loudness: str = ""
