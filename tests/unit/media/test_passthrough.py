"""THB-3 with THB-1's cost: a publisher's own VP8 goes out as it came while it fits the rendition's
caps (no decode, no encode per publisher), and the encoder takes over, from a keyframe, as soon as
it does not; keyframe requests then go to the publisher. Real VP8 from libvpx throughout."""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import av
import pytest

from tests.synthetic_media import encoded_clip
from vvtv.config.schema.media import VideoCaps
from vvtv.media.local_sfu.counters import SfuCounters
from vvtv.media.local_sfu.passthrough import KeyframePacer
from vvtv.media.local_sfu.passthrough import SourceMeter
from vvtv.media.local_sfu.passthrough import vp8_keyframe_size
from vvtv.media.local_sfu.passthrough import with_video_bandwidth
from vvtv.media.local_sfu.rendition import Origin
from vvtv.media.local_sfu.video_rendition import VIDEO_TIME_BASE
from vvtv.media.local_sfu.video_rendition import VideoRendition

CAPS = VideoCaps(width=320, height=180, fps=8, max_bitrate_kbps=180, codec="vp8")
WINDOW_S = 2.0
TOLERANCE = 0.15


def clip_frames(
    width: int, height: int, fps: int, kbps: int, seconds: float
) -> list[tuple[bytes, float]]:
    """(frame, seconds) of a looping clip: a keyframe every 2 s, as the clip starts again."""
    clip = encoded_clip(width, height, fps, 2.0, True, 140, kbps)
    return [(clip[n % len(clip)], n / fps) for n in range(round(seconds * fps))]


def meter_after(frames: list[tuple[bytes, float]]) -> SourceMeter:
    meter = SourceMeter(WINDOW_S, TOLERANCE)
    for frame, seconds in frames:
        meter.add(seconds, len(frame), vp8_keyframe_size(frame))
    return meter


@pytest.mark.req("THB-3")
def test_a_keyframe_tells_its_size_and_an_inter_frame_nothing() -> None:
    clip = encoded_clip(320, 180, 8, 2.0, True, 140, 135)
    assert vp8_keyframe_size(clip[0]) == (320, 180)
    assert [vp8_keyframe_size(frame) for frame in clip[1:]] == [None] * (len(clip) - 1)
    assert vp8_keyframe_size(b"\x00" * 4) is None


@pytest.mark.req("THB-3")
def test_a_camera_within_the_caps_fits_and_one_over_any_cap_does_not() -> None:
    assert meter_after(clip_frames(320, 180, 8, 135, 4.0)).fits(CAPS)
    assert not meter_after(clip_frames(640, 360, 8, 135, 4.0)).fits(CAPS), "too large"
    assert not meter_after(clip_frames(320, 180, 30, 135, 4.0)).fits(CAPS), "too many frames"
    assert not meter_after(clip_frames(320, 180, 8, 800, 4.0)).fits(CAPS), "too many bits"
    inter_only = clip_frames(320, 180, 8, 135, 4.0)[1:10]
    assert not meter_after(inter_only).fits(CAPS), "no keyframe seen: size unknown"
    unusable = meter_after(clip_frames(320, 180, 8, 135, 4.0))
    unusable.unusable()  # not VP8
    assert not unusable.fits(CAPS)


class Sink:
    def __init__(self) -> None:
        self.packets: list[tuple[bytes, int, bool]] = []

    def deliver(self, packet: av.Packet[Any], keyframe: bool, source: object) -> None:
        assert packet.pts is not None
        self.packets.append((bytes(packet), packet.pts, keyframe))


def decoded(frames: list[tuple[bytes, float]]) -> list[av.VideoFrame]:
    codec = av.CodecContext.create("libvpx", "r")
    out: list[av.VideoFrame] = []
    for data, seconds in frames:
        for frame in codec.decode(av.Packet(data)):
            frame.pts = round(seconds * VIDEO_TIME_BASE.denominator)
            frame.time_base = VIDEO_TIME_BASE
            out.append(frame)
    return out


async def play(
    rendition: VideoRendition, frames: list[tuple[bytes, float]], fits: list[bool]
) -> None:
    """What a publisher does with each camera frame: offer it encoded, then decoded."""
    pictures = decoded(frames)
    for (data, seconds), picture, fit in zip(frames, pictures, fits, strict=True):
        rendition.forward(data, vp8_keyframe_size(data) is not None, seconds, 0.0, fit)
        await rendition.push(picture)


def thumb_low(executor: Executor, counters: SfuCounters, asks: list[None]) -> VideoRendition:
    """A thumb_low rendition of ana's camera; each keyframe it asks of her camera is in `asks`."""
    origin = Origin("ana", executor, counters, lambda _: None, lambda: asks.append(None))
    return VideoRendition(origin, "thumb_low", CAPS)


def run_rendition(frames: list[tuple[bytes, float]], fits: list[bool]) -> tuple[Sink, int, int]:
    sink = Sink()
    asks: list[None] = []
    counters = SfuCounters()

    async def main() -> None:
        with ThreadPoolExecutor(1) as executor:
            rendition = thumb_low(executor, counters, asks)
            rendition.attach(sink)
            await play(rendition, frames, fits)
            rendition.close()

    asyncio.run(main())
    assert counters.frames_forwarded_total + counters.frames_encoded_total == len(sink.packets)
    return sink, counters.frames_encoded_total, len(asks)


@pytest.mark.req("THB-1", "THB-3")
def test_a_fitting_camera_goes_out_as_it_came_with_no_encoding() -> None:
    frames = clip_frames(320, 180, 8, 135, 3.0)
    sink, encoded, _ = run_rendition(frames, [True] * len(frames))
    assert encoded == 0
    assert [data for data, _, _ in sink.packets] == [data for data, _ in frames]
    assert sink.packets[0][2], "subscribers start on a keyframe"


@pytest.mark.req("THB-3")
def test_over_the_caps_the_encoder_takes_over_and_back_at_the_next_keyframe() -> None:
    frames = clip_frames(320, 180, 8, 135, 6.0)  # keyframes at 0, 2 and 4 s
    fits = [not (1.0 <= seconds < 3.0) for _, seconds in frames]  # over the caps for 2 s
    sink, encoded, asks = run_rendition(frames, fits)
    sources = {data for data, _ in frames}
    kinds = ["forwarded" if data in sources else "encoded" for data, _, _ in sink.packets]
    first_encoded = kinds.index("encoded")
    assert sink.packets[first_encoded][2], "the encoder takes over with a keyframe"
    back = kinds.index("forwarded", first_encoded)
    assert sink.packets[back][2], "forwarding resumes on the camera's keyframe (at 4 s)"
    assert sink.packets[back][1] == round(4.0 * VIDEO_TIME_BASE.denominator)
    assert set(kinds[first_encoded:back]) == {"encoded"}
    assert encoded == back - first_encoded
    assert set(kinds[back:]) == {"forwarded"}
    assert asks > 0, "while it fits again, the camera is asked for a keyframe"
    stamps = [pts for _, pts, _ in sink.packets]
    assert stamps == sorted(set(stamps)), "the timeline only moves forward across switches"


@pytest.mark.req("THB-3")
def test_a_keyframe_request_while_forwarding_goes_to_the_camera() -> None:
    asks: list[None] = []

    async def main() -> None:
        with ThreadPoolExecutor(1) as executor:
            rendition = thumb_low(executor, SfuCounters(), asks)
            rendition.attach(Sink())
            rendition.request_keyframe()
            assert asks == [], "encoding: the encoder makes it"
            data, _ = clip_frames(320, 180, 8, 135, 1.0)[0]
            rendition.forward(data, True, 0.0, 0.0, True)
            rendition.request_keyframe()
            assert asks == [None]

    asyncio.run(main())


@pytest.mark.req("THB-3")
def test_an_answer_tells_the_browser_the_video_cap() -> None:
    sdp = (
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\nb=AS:2000\r\na=mid:1\r\n"
    )
    capped = with_video_bandwidth(sdp, 180)
    audio, video = capped.split("m=video")
    assert "b=" not in audio
    assert video.count("b=") == 1
    assert "c=IN IP4 0.0.0.0\r\nb=AS:180\r\na=mid:1" in video
    assert len(capped.splitlines()) == len(sdp.splitlines())


@pytest.mark.req("THB-1")
def test_a_keyframe_request_inside_the_interval_is_sent_when_it_ends_not_dropped() -> None:
    """A new subscriber of a forwarded camera asks for a keyframe once; a browser sends one only
    when asked. Paced to one request per interval, a second request is deferred, never lost."""
    pacer = KeyframePacer(min_interval_s=0.5)
    assert pacer.request(10.0) == 10.0
    pacer.done(10.0, sent=True)
    assert pacer.request(10.2) == 10.5  # the rail's subscriber asked a moment ago: at 10.5
    assert pacer.request(10.3) is None  # one request is already due: they coalesce
    pacer.done(10.5, sent=True)
    assert pacer.request(10.6) == 11.0
    pacer.done(11.0, sent=True)
    assert pacer.request(11.7) == 11.7  # the interval is over: at once


@pytest.mark.req("THB-1")
def test_a_request_with_nowhere_to_go_does_not_hold_back_the_next() -> None:
    """Nothing received yet from the camera (no source to ask): the next request goes at once."""
    pacer = KeyframePacer(min_interval_s=0.5)
    assert pacer.request(0.0) == 0.0
    pacer.done(0.0, sent=False)
    assert pacer.request(0.1) == 0.1
