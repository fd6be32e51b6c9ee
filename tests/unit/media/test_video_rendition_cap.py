"""THB-3: a rendition's bitrate cap is hard, even when its subscribers ask for keyframes all the
time (a lossy viewer's PLIs): a keyframe wanted while over the byte budget waits for it."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any

import av
import pytest

from tests.synthetic_media import encoded_clip
from vvtv.config.schema.media import VideoCaps
from vvtv.media.local_sfu.counters import SfuCounters
from vvtv.media.local_sfu.rendition import Origin
from vvtv.media.local_sfu.video_rendition import VideoRendition

CAPS = VideoCaps(width=320, height=180, fps=8, max_bitrate_kbps=180, codec="vp8")


class Sink:
    def __init__(self) -> None:
        self.bytes = 0
        self.keyframes = 0

    def deliver(self, packet: av.Packet[Any], keyframe: bool, source: object) -> None:
        self.bytes += packet.size
        self.keyframes += keyframe


def _decoded_frames(seconds: float) -> list[av.VideoFrame]:
    """A busy 640x360 picture at 30 fps, decoded: what a publisher's pump hands its renditions."""
    codec = av.CodecContext.create("libvpx", "r")
    frames: list[av.VideoFrame] = []
    clip = encoded_clip(640, 360, 30, 2.0, True)
    index = 0
    while len(frames) < seconds * 30:
        for frame in codec.decode(av.Packet(clip[index % len(clip)])):
            frame.pts = len(frames)
            frame.time_base = Fraction(1, 30)
            frames.append(frame)
        index += 1
    return frames


@pytest.mark.req("THB-3")
def test_keyframes_asked_for_every_frame_do_not_break_the_cap() -> None:
    seconds = 6.0
    sink = Sink()

    async def pump() -> None:  # renditions live on the SFU's asyncio loop
        with ThreadPoolExecutor(1) as executor:
            origin = Origin("ana", executor, SfuCounters(), lambda _: None, lambda: None)
            rendition = VideoRendition(origin, "thumb_low", CAPS)
            rendition.attach(sink)
            for frame in _decoded_frames(seconds):
                rendition.request_keyframe()  # a PLI storm
                await rendition.push(frame)

    asyncio.run(pump())
    cap_bytes = CAPS.max_bitrate_kbps * 1000 / 8
    assert sink.keyframes > 1
    # At most the cap for the whole time, plus the one second of burst the budget starts with
    # and the one frame that may take it below zero.
    assert sink.bytes <= cap_bytes * (seconds + 1.5)
