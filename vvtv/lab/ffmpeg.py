"""Talking to ffmpeg/ffprobe: the argument lists (pure, so tests can read them), the parsers of
what the tools print, and the runners (subprocesses via `trio.run_process`, never on the loop)."""

from __future__ import annotations

import json
import math
import re
import subprocess
from collections.abc import Callable
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import msgspec
import trio

from vvtv.domain.lab.findings import Analysis
from vvtv.domain.lab.findings import Loudness
from vvtv.domain.lab.findings import Probe
from vvtv.lab.settings import Ladder
from vvtv.lab.settings import Rendition

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
_BLACK = re.compile(r"black_duration:(?P<seconds>[0-9.]+)")
_EXTINF = re.compile(r"^#EXTINF:(?P<seconds>[0-9.]+),")
_INTEGRATED = re.compile(r"I:\s+(?P<lufs>-?[0-9.]+|-inf) LUFS")


class ToolFailed(Exception):
    def __init__(self, tool: str, detail: str) -> None:
        super().__init__(f"{tool}: {detail}")
        self.detail = detail


class Target(msgspec.Struct, frozen=True, kw_only=True):
    lufs: float
    true_peak_dbtp: float
    lra_lu: float


# -- argument lists -------------------------------------------------------------------------------


def probe_args(path: Path) -> list[str]:
    return [FFPROBE, "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)]


def remux_args(source: Path, dest: Path) -> list[str]:
    """Rewrite the container around the same streams (timestamps regenerated)."""
    return [
        FFMPEG,
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-fflags",
        "+genpts",
        "-i",
        str(source),
        "-map",
        "0",
        "-c",
        "copy",
        str(dest),
    ]


def _loudnorm(target: Target) -> str:
    return f"loudnorm=I={target.lufs}:TP={target.true_peak_dbtp}:LRA={target.lra_lu}"


def analyse_args(path: Path, target: Target, has_audio: bool) -> list[str]:
    """One decode pass: loudness (loudnorm pass 1) and black frames together."""
    graph = "[0:v:0]blackdetect=d=0.5:pix_th=0.10[v]"
    maps = ["-map", "[v]"]
    if has_audio:
        graph += f";[0:a:0]{_loudnorm(target)}:print_format=json[a]"
        maps += ["-map", "[a]"]
    return [
        FFMPEG,
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-i",
        str(path),
        "-filter_complex",
        graph,
        *maps,
        "-f",
        "null",
        "-",
    ]


def ladder_args(
    path: Path,
    out_dir: Path,
    ladder: Ladder,
    target: Target,
    measured: Loudness,
    preset: str,
) -> list[str]:
    """Pass 2 of loudnorm (linear, from the measurement) and every rendition in one decode.

    Every rendition forces a keyframe every `gop_s` of media time and the HLS muxer cuts at
    `segment_s`, a whole number of GOPs, so all renditions cut at the same instants (aligned).
    """
    count = len(ladder.renditions)
    audio = (
        f"[0:a:0]{_loudnorm(target)}:measured_I={measured.input_i}:measured_TP={measured.input_tp}"
        f":measured_LRA={measured.input_lra}:measured_thresh={measured.input_thresh}"
        f":offset={measured.target_offset}:linear=true,aresample=48000,asplit={count}"
        + "".join(f"[a{index}]" for index in range(count))
    )
    video = f"[0:v:0]split={count}" + "".join(f"[s{index}]" for index in range(count))
    scaled = [
        f"[s{index}]fps={r.fps},scale={r.width}:{r.height}:force_original_aspect_ratio=decrease,"
        f"pad={r.width}:{r.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v{index}]"
        for index, r in enumerate(ladder.renditions)
    ]
    args = [
        FFMPEG,
        "-nostdin",
        "-hide_banner",
        "-v",
        "error",
        "-nostats",
        "-progress",
        "pipe:1",
        "-y",
        "-fflags",
        "+genpts",
        "-i",
        str(path),
        "-filter_complex",
        ";".join([audio, video, *scaled]),
    ]
    for index, rendition in enumerate(ladder.renditions):
        args += _rendition_output(index, rendition, ladder, out_dir / rendition.name, preset)
    return args


def _rendition_output(
    index: int, r: Rendition, ladder: Ladder, folder: Path, preset: str
) -> list[str]:
    gop_frames = max(1, round(r.fps * r.gop_s))
    return [
        "-map", f"[v{index}]", "-map", f"[a{index}]",
        "-c:v", "libx264", "-preset", preset, "-profile:v", "main",
        "-b:v", f"{r.video_kbps}k", "-maxrate", f"{r.video_kbps}k",
        "-bufsize", f"{2 * r.video_kbps}k",
        "-g", str(gop_frames), "-keyint_min", str(gop_frames), "-sc_threshold", "0",
        "-force_key_frames", f"expr:gte(t,n_forced*{r.gop_s})",
        "-c:a", "aac", "-b:a", f"{r.audio_kbps}k", "-ar", "48000", "-ac", "2",
        "-f", "hls", "-hls_time", f"{ladder.segment_s}", "-hls_playlist_type", "vod",
        "-hls_list_size", "0", "-hls_segment_filename", str(folder / "seg_%05d.ts"),
        str(folder / "index.m3u8"),
    ]  # fmt: skip


# The slate's look: the UI's dark surfaces and accent. Both background colours stay above
# blackdetect's pixel threshold (QA), so a slate with little text is never judged black.
_SLATE_BACKGROUND = ("0x2A1F3D", "0x1D2333")
_SLATE_ACCENT = "0xFF4F8B"
_SLATE_TEXT = ("0xF4F2F7", "0xB9B5C6")
_SLATE_FPS = 5  # only the clock moves, once a second; the ladder repeats frames up to its rate
# A soft major chord (220, 275, 330 Hz: whole cycles in whole seconds, so clips join cleanly)
# swelling slowly: QA rejects silence, and loudnorm brings it to the channel's loudness anyway.
_SLATE_CHORD = (
    "0.05*(sin(2*PI*220*t)+0.7*sin(2*PI*275*t)+0.5*sin(2*PI*330*t))*(0.8+0.2*sin(2*PI*0.2*t))"
)


def _filter_value(text: str) -> str:
    """`text` as one filter option's value in a filtergraph: escaped for the option parser
    (backslash, quote, colon), then for the graph parser (backslash, quote, brackets, comma,
    semicolon)."""
    option = re.sub(r"([\\':])", r"\\\1", text)
    return re.sub(r"([\\'\[\],;])", r"\\\1", option)


def _text_size(text: str, width: int, height: int, share: float) -> int:
    # drawtext cannot fit text to a width: size from an em width of ~0.7 (DejaVu Sans Bold).
    return max(8, round(min(height * share, 0.85 * width / (0.7 * max(1, len(text))))))


def slate_args(
    dest: Path,
    seconds: float,
    index: int,
    width: int,
    height: int,
    *,
    brand: str,
    message: str,
    font: Path | None,
) -> list[str]:
    """A reserve clip that looks like the channel's slate: the brand on a dark gradient, the
    message under an accent rule, and a running clock. A clip made once and looped cannot show
    the wall time, so the clock counts through the loop (clip `index` starts at
    `index * seconds`). Without a font, the same slate without text."""
    rule_y = round(height * 0.56)
    video = [
        f"gradients=size={width}x{height}:rate={_SLATE_FPS}:duration={seconds}:speed=0.00001"
        f":c0={_SLATE_BACKGROUND[0]}:c1={_SLATE_BACKGROUND[1]}:x0=0:y0=0:x1={width}:y1={height}",
        f"drawbox=x={round(width * 0.4)}:y={rule_y}:w={round(width * 0.2)}"
        f":h={max(2, height // 180)}:color={_SLATE_ACCENT}:t=fill",
    ]
    if font is not None:
        typeface = _filter_value(str(font))
        brand_size = _text_size(brand, width, height, 0.12)
        video.append(
            f"drawtext=fontfile={typeface}:expansion=none:text={_filter_value(brand)}"
            f":fontsize={brand_size}:fontcolor={_SLATE_TEXT[0]}:x=(w-tw)/2"
            f":y={rule_y - round(height * 0.05)}-th"
        )
        if message:
            video.append(
                f"drawtext=fontfile={typeface}:expansion=none:text={_filter_value(message)}"
                f":fontsize={_text_size(message, width, height, 0.045)}"
                f":fontcolor={_SLATE_TEXT[1]}:x=(w-tw)/2:y={rule_y + round(height * 0.05)}"
            )
        clock = f"%{{pts:gmtime:{index * seconds:g}:%H\\:%M\\:%S}}"
        margin = round(height * 0.05)
        video.append(
            f"drawtext=fontfile={typeface}:text={_filter_value(clock)}"
            f":fontsize={round(height / 26)}:fontcolor={_SLATE_TEXT[1]}"
            f":x=w-tw-{margin}:y=h-th-{margin}"
        )
    audio = f"aevalsrc=exprs={_filter_value(_SLATE_CHORD)}:sample_rate=48000:duration={seconds}"
    return [FFMPEG, "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", ",".join(video), "-f", "lavfi", "-i", audio,
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", "-f", "matroska", str(dest)]  # fmt: skip


def ebur128_args(path: Path) -> list[str]:
    return [FFMPEG, "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
            "-map", "0:a:0", "-af", "ebur128", "-f", "null", "-"]  # fmt: skip


# -- parsers --------------------------------------------------------------------------------------


def parse_probe(stdout: bytes) -> Probe:
    data = json.loads(stdout or b"{}")
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    container = data.get("format") or {}
    duration = _float(container.get("duration"))
    if duration is None and video is not None:
        duration = _float(video.get("duration"))
    return Probe(
        duration_s=duration or 0.0,
        has_video=video is not None,
        has_audio=audio is not None,
        width=int(video.get("width", 0)) if video else 0,
        height=int(video.get("height", 0)) if video else 0,
        container_ok=_float(container.get("duration")) is not None,
    )


def parse_analysis(stderr: str, has_audio: bool) -> Analysis:
    black = sum(float(match["seconds"]) for match in _BLACK.finditer(stderr))
    if not has_audio:
        return Analysis(loudness=None, black_s=black)
    start, end = stderr.rfind("{"), stderr.rfind("}")
    if start < 0 or end < start:
        raise ToolFailed("ffmpeg", "no loudness measurement in the output")
    raw = stderr[start : end + 1]
    data = json.loads(raw)
    loudness = Loudness(
        input_i=_float_or(data.get("input_i"), -math.inf),
        input_tp=_float_or(data.get("input_tp"), -math.inf),
        input_lra=_float_or(data.get("input_lra"), 0.0),
        input_thresh=_float_or(data.get("input_thresh"), -math.inf),
        target_offset=_float_or(data.get("target_offset"), 0.0),
    )
    return Analysis(loudness=loudness, black_s=black, raw_loudness=raw)


def parse_segment_durations(playlist: str) -> list[float]:
    return [float(m["seconds"]) for line in playlist.splitlines() if (m := _EXTINF.match(line))]


def parse_integrated_lufs(stderr: str) -> float:
    """The last 'I: … LUFS' of ebur128's summary."""
    found = _INTEGRATED.findall(stderr)
    if not found:
        raise ToolFailed("ffmpeg", "no ebur128 summary")
    return -math.inf if found[-1] == "-inf" else float(found[-1])


def _float(value: object) -> float | None:
    if not isinstance(value, (str, int, float, bytes)):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _float_or(value: object, default: float) -> float:
    found = _float(value)
    return default if found is None else found


# -- runners --------------------------------------------------------------------------------------


async def _kill(process: trio.Process) -> None:
    """On cancellation (shutdown, a stopped pipeline): kill at once rather than trio's SIGTERM
    then 5 s grace. Every output goes to a temporary name renamed on success, so a killed run
    leaves nothing that could air, and `vvtv serve` stays inside its shutdown budget."""
    process.kill()


def _niced(args: Sequence[str], niceness: int) -> list[str]:
    """Heavy work (reserve clips, analysis, the ladder transcode) is offline: under `nice` it
    yields the CPU to the server's requests (sign-ins hash passwords, the SFU forwards media)."""
    return ["nice", "-n", str(niceness), *args] if niceness else list(args)


async def run(args: Sequence[str], *, niceness: int = 0) -> subprocess.CompletedProcess[bytes]:
    return await trio.run_process(
        _niced(args, niceness),
        capture_stdout=True,
        capture_stderr=True,
        check=False,
        deliver_cancel=_kill,
    )


async def probe(path: Path) -> Probe:
    result = await run(probe_args(path))
    if result.returncode != 0:
        raise ToolFailed("ffprobe", _last_line(result.stderr))
    return parse_probe(result.stdout)


async def analyse(path: Path, target: Target, has_audio: bool, *, niceness: int = 0) -> Analysis:
    result = await run(analyse_args(path, target, has_audio), niceness=niceness)
    stderr = result.stderr.decode(errors="replace")
    if result.returncode != 0:
        raise ToolFailed("ffmpeg", _last_line(result.stderr))
    return parse_analysis(stderr, has_audio)


async def integrated_lufs(path: Path) -> float:
    result = await run(ebur128_args(path))
    if result.returncode != 0:
        raise ToolFailed("ffmpeg", _last_line(result.stderr))
    return parse_integrated_lufs(result.stderr.decode(errors="replace"))


async def run_with_progress(
    args: Sequence[str],
    duration_s: float,
    on_progress: Callable[[float], None],
    *,
    niceness: int = 0,
) -> None:
    """Run ffmpeg with `-progress pipe:1`, reporting 0..1 as it goes; ToolFailed on failure."""
    errors = bytearray()
    async with trio.open_nursery() as nursery:
        command = partial(
            trio.run_process,
            _niced(args, niceness),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            check=False,
            deliver_cancel=_kill,
        )
        process: trio.Process = await nursery.start(command)
        assert process.stdout is not None
        assert process.stderr is not None
        nursery.start_soon(_drain, process.stderr, errors)
        buffer = b""
        async for chunk in process.stdout:
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if line.startswith(b"out_time_us=") and duration_s > 0:
                    micros = _float_or(line.split(b"=", 1)[1].decode(), 0.0)
                    on_progress(min(1.0, max(0.0, micros / 1e6 / duration_s)))
    if process.returncode != 0:
        raise ToolFailed("ffmpeg", _last_line(bytes(errors)))


async def _drain(stream: trio.abc.ReceiveStream, into: bytearray) -> None:
    async for chunk in stream:
        into += chunk[-65536:]
        del into[:-65536]  # keep the tail only: the error is at the end


def _last_line(stderr: bytes) -> str:
    lines = [line for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else "failed"
