"""Synthetic media for tests and the benchmark: a pre-encoded VP8 clip (so a publishing client
costs almost no CPU — its sender only packetizes) and a tone, both paced in real time. Each may
carry a signature (the picture's V chroma, the tone's pitch) that survives the SFU's re-encoding,
so a receiver can tell whose media it decoded."""

from __future__ import annotations

import asyncio
import fractions
import functools
import math
import random
import time
from typing import Any

import av
from aiortc import MediaStreamTrack

VIDEO_TIME_BASE = fractions.Fraction(1, 90000)
AUDIO_RATE = 48000
AUDIO_SAMPLES = 960  # 20 ms


DEFAULT_CHROMA = 140  # V plane: a flat value, read back from decoded frames (`Received.chroma`)
DEFAULT_TONE_HZ = 440.0


def _frame(
    width: int, height: int, index: int, count: int, noisy: bool, chroma: int
) -> av.VideoFrame:
    """A dark frame with a bright bar sweeping across it: enough motion for real P-frames.
    `noisy` adds a moving band of noise, so the SFU's encoders run near their bitrate caps (a
    busier picture than a webcam's, hence more packets per frame)."""
    frame = av.VideoFrame(width, height, "yuv420p")
    luma = frame.planes[0]
    bar = max(8, width // 10)
    start = (index * (width - bar)) // max(1, count - 1)
    row = bytes([40]) * start + bytes([220]) * bar + bytes([40]) * (width - start - bar)
    row += bytes(luma.line_size - width)
    rows = row * height
    if noisy:  # a band of noise, a sixth of the picture, moving down
        band = height // 6
        top = (index * (height - band)) // max(1, count - 1)
        noise = random.Random(index).randbytes(luma.line_size * band)
        rows = rows[: top * luma.line_size] + noise + rows[(top + band) * luma.line_size :]
    luma.update(rows)
    for plane, value in ((frame.planes[1], 110 + index % 40), (frame.planes[2], chroma)):
        plane.update(bytes([value]) * (plane.line_size * (height // 2)))
    return frame


def vp8_encoder(width: int, height: int, fps: int, kbps: int = 800) -> av.VideoCodecContext:
    """A real-time VP8 encoder whose only keyframe is its first: a clip made with it loops."""
    codec = av.CodecContext.create("libvpx", "w")
    assert isinstance(codec, av.VideoCodecContext)
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.time_base = fractions.Fraction(1, fps)
    codec.bit_rate = kbps * 1000
    codec.gop_size = 10_000
    codec.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    return codec


@functools.cache
def encoded_clip(
    width: int,
    height: int,
    fps: int,
    seconds: float,
    noisy: bool = False,
    chroma: int = DEFAULT_CHROMA,
    kbps: int = 800,
) -> tuple[bytes, ...]:
    """VP8 frames of a clip that starts with a keyframe, so it can loop."""
    codec = vp8_encoder(width, height, fps, kbps)
    count = round(fps * seconds)
    payloads: list[bytes] = []
    for index in range(count):
        frame = _frame(width, height, index, count, noisy, chroma)
        frame.pts = index
        payloads.extend(bytes(packet) for packet in codec.encode(frame))
    payloads.extend(bytes(packet) for packet in codec.encode(None))
    return tuple(payloads)


@functools.cache
def target_within(cap_kbps: int, width: int, height: int, fps: int, noisy: bool = True) -> int:
    """The encoder target (kbps) whose clip runs closest below `cap_kbps`, in 5 % steps: a
    camera sending what a profile allows, which the SFU forwards as it comes (libvpx overshoots
    a busy picture's target, by a tenth to a third)."""
    target = cap_kbps
    while True:
        clip = encoded_clip(width, height, fps, 2.0, noisy, DEFAULT_CHROMA, target)
        if sum(map(len, clip)) * 8 / 2.0 / 1000 <= cap_kbps:
            return target
        target = round(target * 0.95)


class ClipVideoTrack(MediaStreamTrack):
    """Loops a pre-encoded VP8 `clip` at `fps` in real time; returns `av.Packet`s, so the client
    never encodes."""

    kind = "video"

    def __init__(self, clip: tuple[bytes, ...], fps: int) -> None:
        super().__init__()
        self._clip = clip
        self._fps = fps
        self._index = 0
        self._start: float | None = None

    async def recv(self) -> av.Packet[Any]:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self._index / self._fps
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        packet = av.Packet(self._clip[self._index % len(self._clip)])
        packet.pts = round(self._index * VIDEO_TIME_BASE.denominator / self._fps)
        packet.time_base = VIDEO_TIME_BASE
        self._index += 1
        return packet


class PreEncodedVideoTrack(ClipVideoTrack):
    """Loops `encoded_clip` (the sweeping bar) at `fps`."""

    def __init__(
        self,
        width: int = 640,
        height: int = 360,
        fps: int = 30,
        noisy: bool = False,
        chroma: int = DEFAULT_CHROMA,
        kbps: int = 800,
    ) -> None:
        super().__init__(encoded_clip(width, height, fps, 2.0, noisy, chroma, kbps), fps)


class ToneAudioTrack(MediaStreamTrack):
    """A tone (440 Hz unless told), 20 ms mono s16 frames at 48 kHz (aiortc's sender
    Opus-encodes it). One frame's samples repeat: a pitch with whole cycles in 20 ms (a
    multiple of 50 Hz) loops without a click, so its pitch reads back cleanly."""

    kind = "audio"

    def __init__(self, hz: float = DEFAULT_TONE_HZ) -> None:
        super().__init__()
        samples = (
            int(8000 * math.sin(2 * math.pi * hz * n / AUDIO_RATE)) for n in range(AUDIO_SAMPLES)
        )
        self._pcm = b"".join(s.to_bytes(2, "little", signed=True) for s in samples)
        self._index = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self._index * AUDIO_SAMPLES / AUDIO_RATE
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        frame = av.AudioFrame(format="s16", layout="mono", samples=AUDIO_SAMPLES)
        frame.planes[0].update(self._pcm)
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._index * AUDIO_SAMPLES
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._index += 1
        return frame
