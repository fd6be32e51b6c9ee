"""QA verdicts (LAB-3) and the reading of ffmpeg's outputs, without running ffmpeg."""

from __future__ import annotations

import json
import math
from pathlib import Path

from tests.small_lab import shipped_limits
from vvtv.domain.lab.findings import Analysis
from vvtv.domain.lab.findings import Loudness
from vvtv.domain.lab.findings import Probe
from vvtv.domain.lab.qa import analysis_verdict
from vvtv.domain.lab.qa import probe_verdict
from vvtv.lab import ffmpeg
from vvtv.lab.settings import Ladder

LOUD = Loudness(input_i=-4.3, input_tp=2.0, input_lra=0.2, input_thresh=-14.3, target_offset=0)


def test_probe_verdicts() -> None:
    """LAB-3: no video → corrupt; shorter than qa_min_duration_s → too short."""
    ok = Probe(duration_s=8.0, has_video=True, has_audio=True)
    assert probe_verdict(ok, min_duration_s=2, max_duration_s=60) is None
    no_video = Probe(duration_s=8.0, has_video=False, has_audio=True)
    assert probe_verdict(no_video, min_duration_s=2, max_duration_s=60).reason == "corrupt"  # type: ignore[union-attr]
    short = Probe(duration_s=1.0, has_video=True, has_audio=True)
    assert probe_verdict(short, min_duration_s=2, max_duration_s=60).reason == "too_short"  # type: ignore[union-attr]


def test_analysis_verdicts() -> None:
    """LAB-3: silent (no audio, or under the -70 LUFS gate) and mostly black are rejected."""
    silent = Loudness(input_i=-math.inf, input_tp=-math.inf, input_lra=0, input_thresh=-80,
                      target_offset=0)  # fmt: skip
    assert analysis_verdict(Analysis(loudness=LOUD, black_s=0), 8, max_black_fraction=0.9) is None
    for analysis, reason in [
        (Analysis(loudness=None, black_s=0), "silent"),
        (Analysis(loudness=silent, black_s=0), "silent"),
        (Analysis(loudness=LOUD, black_s=7.5), "black"),
    ]:
        verdict = analysis_verdict(analysis, 8, max_black_fraction=0.9)
        assert verdict is not None
        assert verdict.reason == reason


def test_parsers_read_what_ffmpeg_prints() -> None:
    measurement = {"input_i": "-4.30", "input_tp": "2.05", "input_lra": "0.20",
                   "input_thresh": "-14.30", "target_offset": "-0.09"}  # fmt: skip
    stderr = (
        "[blackdetect @ 0x1] black_start:0 black_end:1.5 black_duration:1.5\n"
        f"[Parsed_loudnorm_0 @ 0x2]\n{json.dumps(measurement)}\n"
    )
    analysis = ffmpeg.parse_analysis(stderr, has_audio=True)
    assert analysis.black_s == 1.5
    assert analysis.loudness == Loudness(
        input_i=-4.3, input_tp=2.05, input_lra=0.2, input_thresh=-14.3, target_offset=-0.09
    )
    assert ffmpeg.parse_segment_durations("#EXTINF:2.000000,\na.ts\n#EXTINF:1.5,\nb.ts\n") == [
        2.0,
        1.5,
    ]
    assert (
        ffmpeg.parse_integrated_lufs("  Integrated loudness:\n    I:         -23.0 LUFS\n") == -23
    )


def test_the_ladder_command_aligns_keyframes_and_segments_for_every_rendition() -> None:
    """LAB-3: every rendition of the shipped ladder: H.264/AAC, a keyframe every 2 s (no scene
    cut keyframes), HLS segments of segment_s; loudnorm's second pass is linear."""
    from tests.small_lab import REPO
    from vvtv.config import build_runtime_config
    from vvtv.lab.settings import settings_from_config

    shipped = settings_from_config(build_runtime_config(REPO / "config"), Path("/tmp"))
    ladder: Ladder = shipped.ladder(("broadcast_720p", "broadcast_360p"))
    target = ffmpeg.Target(lufs=-23, true_peak_dbtp=-1, lra_lu=11)
    preset = shipped_limits().encoder_preset
    args = ffmpeg.ladder_args(Path("in.mp4"), Path("out"), ladder, target, LOUD, preset)
    text = " ".join(args)
    assert "scale=1280:720" in text
    assert "scale=640:360" in text
    assert "linear=true" in text
    assert "measured_I=-4.3" in text
    assert args.count("libx264") == 2
    assert args.count("aac") == 2
    assert args.count("-force_key_frames") == 2
    assert "expr:gte(t,n_forced*2.0)" in args
    assert args[args.index("-g") + 1] == "60"  # 30 fps × 2 s
    assert args[args.index("-hls_time") + 1] == f"{ladder.segment_s}"
    assert "out/broadcast_720p/index.m3u8" in args
