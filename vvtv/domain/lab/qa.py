"""QA verdicts (LAB-3): why an item may not air. Pure: decided from ffprobe's and the analysis
pass's findings, so every rule is tested without ffmpeg."""

from __future__ import annotations

from typing import Literal

from vvtv.domain.lab.findings import Analysis
from vvtv.domain.lab.findings import Probe

RejectReason = Literal["corrupt", "too_short", "too_long", "silent", "black", "unaligned"]


class Rejected(Exception):
    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: RejectReason = reason
        self.detail = detail


def probe_verdict(probe: Probe, *, min_duration_s: float, max_duration_s: float) -> Rejected | None:
    if not probe.has_video:
        return Rejected("corrupt", "no video stream")
    if probe.duration_s < min_duration_s:
        return Rejected("too_short", f"{probe.duration_s:.2f} s < {min_duration_s:.2f} s")
    if probe.duration_s > max_duration_s:
        return Rejected("too_long", f"{probe.duration_s:.0f} s > {max_duration_s:.0f} s")
    return None


def analysis_verdict(
    analysis: Analysis, duration_s: float, *, max_black_fraction: float
) -> Rejected | None:
    if analysis.loudness is None:
        return Rejected("silent", "no audio stream")
    if analysis.loudness.silent:
        return Rejected("silent", f"integrated loudness {analysis.loudness.input_i} LUFS")
    if duration_s > 0 and analysis.black_s / duration_s > max_black_fraction:
        return Rejected("black", f"{analysis.black_s:.1f} s of {duration_s:.1f} s black")
    return None
