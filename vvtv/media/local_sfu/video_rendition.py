"""One publisher's video at one profile's caps, encoded ONCE for every subscriber.

Decoded frames come in at the publisher's rate; this keeps at most one per 1/fps slot, scales it
to fit the profile's box (never up), and encodes VP8 with the profile's bitrate cap. Subscribers
receive the same `av.Packet[Any]` objects, which their RTP senders only packetize. Keyframes are
forced on request (a subscriber's join or PLI), since pre-encoded packets ignore the sender's own
keyframe flag.

While the publisher's own frames fit the caps (passthrough.py), they are forwarded instead and
the decoded ones ignored; a keyframe request then goes to the publisher. Each switch between the
two happens at a keyframe, and the SFU's timeline only moves forward across it.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from typing import Any

import av
from av.video.codeccontext import VideoCodecContext
from av.video.frame import PictureType

from vvtv.config.schema.media import VideoCaps
from vvtv.media.local_sfu.rendition import Origin
from vvtv.media.local_sfu.rendition import Rendition

# aiortc's RTP clock for video: packet timestamps are converted from this.
VIDEO_TIME_BASE = fractions.Fraction(1, 90000)


def fit_within(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """The largest even size with the source's aspect that fits the box; never upscales."""
    scale = min(box_width / width, box_height / height, 1.0)

    def even(size: int, box: int) -> int:
        # Rounded (not truncated: 360 x 0.3328 is 120, not 119), within the box, even for 4:2:0.
        return max(2, min(round(size * scale), box) // 2 * 2)

    return even(width, box_width), even(height, box_height)


class VideoRendition(Rendition):
    def __init__(self, origin: Origin, profile_name: str, caps: VideoCaps) -> None:
        super().__init__(origin, profile_name, profile_name)
        self.caps = caps
        self.forwarding = False  # the publisher's own frames go out, not this encoder's
        self._last_pts: int | None = None  # the newest frame sent, on the SFU's timeline
        self._codec: VideoCodecContext | None = None
        self._size: tuple[int, int] | None = None
        self._last_slot: int | None = None
        self._keyframe_wanted = True
        # Hard bitrate cap: libvpx's rate control cannot get a very busy picture under the cap at
        # its quality floor, so a byte budget (one second of burst) skips frames when over it.
        self._bytes_per_s = caps.max_bitrate_kbps * 1000 / 8
        self._budget = self._bytes_per_s
        self._budget_at: float | None = None
        self.frames_encoded = 0

    def request_keyframe(self) -> None:
        """Coalesced: any number of requests before the next encoded frame make one keyframe."""
        self._origin.counters.keyframes_requested_total += 1
        self._keyframe_wanted = True
        if self.forwarding:
            self._origin.ask_keyframe()

    def forward(
        self, frame: bytes, keyframe: bool, seconds: float, clock_offset_s: float, fits: bool
    ) -> None:
        """Offer one of the publisher's own encoded frames (VP8 as it arrived, at `seconds` on
        its timeline); `fits`: whether its stream is within this rendition's caps."""
        if self.closed or not self._sinks:
            return
        if not fits:
            if self.forwarding:  # the encoder takes over, from a keyframe
                self.forwarding = False
                self._keyframe_wanted = True
            return
        if not self.forwarding:
            if not keyframe:
                self._origin.ask_keyframe()
                return
            self.forwarding = True
        pts = round((seconds + clock_offset_s) * VIDEO_TIME_BASE.denominator)
        if self._last_pts is not None and pts <= self._last_pts:
            return
        self._last_pts = pts
        packet = av.Packet(frame)
        packet.pts = packet.dts = pts
        packet.time_base = VIDEO_TIME_BASE
        self._origin.counters.frames_forwarded_total += 1
        self._deliver(packet, keyframe)

    async def push(self, frame: av.VideoFrame, clock_offset_s: float = 0.0) -> None:
        """Offer one decoded publisher frame; encodes it if it opens a new 1/fps slot.
        `clock_offset_s` moves the source's timeline onto the SFU's clock, where packets are
        stamped: a tile slot re-pointed to another publisher (THB-2) then carries timestamps that
        keep moving forward, as if one camera had cut to another."""
        if (
            self.closed
            or self.forwarding
            or not self._sinks
            or frame.pts is None
            or frame.time_base is None
        ):
            return
        counters = self._origin.counters
        seconds = float(frame.pts * frame.time_base)
        pts = round((seconds + clock_offset_s) * VIDEO_TIME_BASE.denominator)
        if self._last_pts is not None and pts <= self._last_pts:
            return  # decoded after frames forwarded until a switch: already sent
        slot = math.floor(seconds * self.caps.fps)
        if self._last_slot is not None and 0 <= slot - self._last_slot < 1:
            counters.frames_skipped_total += 1
            return
        if self._last_slot is not None and slot < self._last_slot:
            self._reset()  # the source restarted (new publisher connection): new timeline
        self._last_slot = slot
        force = self._keyframe_wanted
        if self._budget_at is not None:
            refill = max(0.0, seconds - self._budget_at) * self._bytes_per_s
            self._budget = min(self._bytes_per_s, self._budget + refill)
        self._budget_at = seconds
        if self._budget < 0:
            # Over budget, even a wanted keyframe waits (it stays wanted): subscribers that keep
            # asking for one (a lossy viewer's PLIs) must not lift the cap (THB-3).
            counters.frames_skipped_total += 1
            return
        self._keyframe_wanted = False
        loop = asyncio.get_running_loop()
        packets, cpu_s = await loop.run_in_executor(
            self._origin.executor, self._encode, frame, slot, pts, force
        )
        counters.encode_seconds_total += cpu_s
        if not self.is_open or self.forwarding:  # closed, or forwarding, while it encoded
            return
        if self._last_pts is not None and pts <= self._last_pts:
            return  # forwarded frames went out meanwhile
        self._last_pts = pts
        for packet in packets:
            keyframe = packet.is_keyframe
            self._budget -= packet.size
            self.frames_encoded += 1
            counters.frames_encoded_total += 1
            counters.encoded_bytes_total += packet.size
            counters.keyframes_encoded_total += keyframe
            self._deliver(packet, keyframe)

    def _encode(
        self, frame: av.VideoFrame, slot: int, pts: int, force: bool
    ) -> tuple[list[av.Packet[Any]], float]:
        # Runs on an executor thread, one push at a time per rendition (the pump awaits each).
        started = time.thread_time()
        size = fit_within(frame.width, frame.height, self.caps.width, self.caps.height)
        codec = self._codec
        if codec is None or size != self._size:
            codec = self._codec = self._open(*size)
            self._size = size
        scaled = frame.reformat(width=size[0], height=size[1], format="yuv420p")
        # The codec's clock ticks once per fps slot, so libvpx's rate control budgets bits for
        # `fps` frames a second, whatever rate the publisher sends.
        scaled.pts = slot
        scaled.time_base = codec.time_base
        scaled.pict_type = PictureType.I if force else PictureType.NONE
        packets = codec.encode(scaled)
        for packet in packets:
            # Every rendition of every publisher shares the SFU's timeline, so a subscriber can
            # switch rendition (THB-4) or publisher (a tile slot) without a timestamp jump.
            packet.pts = pts
            packet.dts = pts
            packet.time_base = VIDEO_TIME_BASE
        return packets, time.thread_time() - started

    def _open(self, width: int, height: int) -> VideoCodecContext:
        codec = av.CodecContext.create("libvpx", "w")
        assert isinstance(codec, VideoCodecContext)
        bitrate = self.caps.max_bitrate_kbps * 1000
        fps = fractions.Fraction(self.caps.fps).limit_denominator(1000)
        codec.width = width
        codec.height = height
        codec.pix_fmt = "yuv420p"
        codec.time_base = 1 / fps
        codec.framerate = fps
        codec.bit_rate = bitrate
        codec.gop_size = max(1, round(self.caps.keyframe_interval_s * self.caps.fps))
        codec.qmin = 4
        codec.qmax = 63  # lose quality before frames when a busy picture meets the cap
        codec.thread_count = 1 if width * height <= 640 * 360 else 2
        # Real-time, no look-ahead, a one-second buffer capped at the profile's bitrate.
        codec.options = {
            "bufsize": str(bitrate),
            "maxrate": str(bitrate),
            "cpu-used": "8",
            "deadline": "realtime",
            "lag-in-frames": "0",
            "undershoot-pct": "100",
            "overshoot-pct": "15",
            "static-thresh": "1",
            "partitions": "0",
        }
        codec.open()
        self._keyframe_wanted = True
        return codec

    def _reset(self) -> None:
        self._codec = None
        self._size = None
        self._keyframe_wanted = True

    def close(self) -> None:
        super().close()
        self._codec = None
