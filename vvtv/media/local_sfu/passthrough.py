"""Forwarding a publisher's own VP8 frames when they already fit a rendition's caps.

A tile camera sends what a tile is (thumb_low: 320x180, 8 fps, <= 180 kbps, asked of the
browser in getUserMedia and in the answer's `b=AS`). Decoding it and encoding it again would
spend a core on 20 publishers for nothing; while the source fits, a rendition forwards its frames
as they arrived and its subscribers' senders only packetize them. The caps still hold whatever a
client sends: a source over them (size, rate or bitrate, measured here) is encoded again, from a
keyframe, until it fits again and sends a keyframe.

`ReceiverTap` is the one place that reaches into aiortc's receiver, which has no public hook for
the encoded frames it assembles, nor for asking its sender for a keyframe.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from typing import Any

from aiortc import RTCRtpReceiver

from vvtv.config.schema.media import VideoCaps

VP8 = "video/vp8"
RTP_VIDEO_CLOCK = 90_000


def vp8_keyframe_size(frame: bytes) -> tuple[int, int] | None:
    """A VP8 keyframe's picture size (RFC 6386 section 9.1), or None for an inter frame."""
    if len(frame) < 10 or frame[0] & 1 or frame[3:6] != b"\x9d\x01\x2a":
        return None
    width = int.from_bytes(frame[6:8], "little") & 0x3FFF
    height = int.from_bytes(frame[8:10], "little") & 0x3FFF
    return width, height


class SourceMeter:
    """What a publisher's encoded stream is: its picture size (from its last keyframe) and its
    frame rate and bitrate over the last `window_s` of its own timeline."""

    def __init__(self, window_s: float, tolerance: float) -> None:
        self._window_s = window_s
        self._tolerance = tolerance
        self._frames: collections.deque[tuple[float, int]] = collections.deque()
        self._bytes = 0
        self.size: tuple[int, int] | None = None
        self.forwardable = False  # VP8 and seen a keyframe

    def add(self, seconds: float, size: int, keyframe_size: tuple[int, int] | None) -> None:
        if keyframe_size is not None:
            self.size = keyframe_size
            self.forwardable = True
        frames = self._frames
        if frames and seconds < frames[-1][0]:
            frames.clear()  # a new timeline: the source restarted
            self._bytes = 0
        frames.append((seconds, size))
        self._bytes += size
        while seconds - frames[0][0] > self._window_s:
            self._bytes -= frames.popleft()[1]

    def unusable(self) -> None:
        """Not VP8: every rendition encodes."""
        self.forwardable = False

    def fits(self, caps: VideoCaps) -> bool:
        if not self.forwardable or self.size is None or len(self._frames) < 2:
            return False
        width, height = self.size
        if width > caps.width or height > caps.height:
            return False
        span = self._frames[-1][0] - self._frames[0][0]
        if span <= 0:
            return False
        # n frames stamped over `span` seconds are n - 1 intervals; their bytes, all but the
        # first frame's, came in over the same span.
        fps = (len(self._frames) - 1) / span
        kbps = (self._bytes - self._frames[0][1]) * 8 / span / 1000
        allowance = 1 + self._tolerance
        return fps <= caps.fps * allowance and kbps <= caps.max_bitrate_kbps * allowance


def with_video_bandwidth(sdp: str, kbps: int) -> str:
    """`sdp` with `b=AS:kbps` in each video section: in an answer, what a browser may send
    (RFC 4566 section 5.8; Chrome and Firefox cap their encoder at it)."""
    lines = sdp.splitlines()
    out: list[str] = []
    video = False
    for line in lines:
        if line.startswith("m="):
            video = line.startswith("m=video")
        elif video and line.startswith("b="):
            continue  # replaced by ours, after the c= line
        out.append(line)
        if video and line.startswith("c="):
            out.append(f"b=AS:{kbps}")
    return "\r\n".join(out) + "\r\n"


EncodedFrame = Callable[[str, bytes, int], None]
"""(codec mime type, the frame's bytes, its RTP timestamp from the stream's start)"""


class KeyframePacer:
    """At most one keyframe request to a publisher per `min_interval_s`. A request inside the
    interval is sent when the interval ends, not dropped: a subscriber asks once, when it joins,
    and a browser sends a keyframe only when asked, so a dropped request left the subscriber
    nothing to start from."""

    def __init__(self, min_interval_s: float) -> None:
        self._min_interval_s = min_interval_s
        self._last: float | None = None  # when the last request went out
        self._due = False  # a request waits for the interval to end

    def request(self, now: float) -> float | None:
        """When to send a request made at `now`: now, when the interval ends, or None when one
        is already due (they coalesce)."""
        if self._due:
            return None
        if self._last is None or now - self._last >= self._min_interval_s:
            return now
        self._due = True
        return self._last + self._min_interval_s

    def done(self, now: float, sent: bool) -> None:
        """The request due at `now` went out (`sent`), or had nowhere to go yet."""
        self._due = False
        if sent:
            self._last = now


class ReceiverTap:
    """The encoded frames an aiortc video receiver assembles, before its decoder thread takes
    them; and keyframe requests (RTCP PLI) to its remote sender, paced by `KeyframePacer`."""

    def __init__(
        self, receiver: RTCRtpReceiver, on_frame: EncodedFrame, min_interval_s: float
    ) -> None:
        self._receiver = receiver
        self._pacer = KeyframePacer(min_interval_s)
        self._asking: asyncio.Task[None] | None = None  # held: the loop keeps only a weak one
        queue: Any = receiver._RTCRtpReceiver__decoder_queue  # type: ignore[attr-defined]  # noqa: SLF001
        decode = queue.put

        def put(task: Any) -> None:
            # Called on the loop's thread by the receiver, with (codec, frame) or None (the end).
            if task is not None:
                codec, frame = task
                on_frame(codec.mimeType.lower(), frame.data, frame.timestamp)
            decode(task)

        queue.put = put

    def ask_keyframe(self) -> None:
        loop = asyncio.get_running_loop()
        at = self._pacer.request(loop.time())
        if at is None:
            return
        if at <= loop.time():
            self._send_pli(loop)
        else:
            loop.call_at(at, self._send_pli, loop)

    def _send_pli(self, loop: asyncio.AbstractEventLoop) -> None:
        retransmissions = self._receiver._RTCRtpReceiver__rtx_ssrc  # type: ignore[attr-defined]  # noqa: SLF001
        for source in self._receiver.getSynchronizationSources():
            if source.source not in retransmissions:
                self._pacer.done(loop.time(), sent=True)
                self._asking = loop.create_task(
                    self._receiver._send_rtcp_pli(source.source)  # noqa: SLF001
                )
                return
        self._pacer.done(loop.time(), sent=False)  # nothing received yet: the next frame asks
