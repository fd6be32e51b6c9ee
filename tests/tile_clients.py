"""A tile viewer as an aiortc client: one subscribe connection with N recvonly video m-lines (the
pool's slots), what each slot decoded (arrival time, size, chroma: whose picture it was), the bytes
that reached it, and a lossy network on demand (a share of incoming RTP dropped before aiortc sees
it, so the client's receiver reports really count it lost: THB-4)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import av
from aiortc import MediaStreamTrack
from aiortc import RTCConfiguration
from aiortc import RTCPeerConnection
from aiortc import RTCSessionDescription
from aiortc.jitterbuffer import JitterBuffer
from aiortc.mediastreams import MediaStreamError
from aiortc.rtp import RtpPacket

from tests.webrtc_clients import Signalling
from tests.webrtc_clients import _mean_v
from vvtv.media.local_sfu.bridge import AsyncioThread
from vvtv.media.port import SdpOffer


@dataclass(frozen=True)
class Frame:
    at: float  # time.monotonic() when decoded
    width: int
    height: int
    chroma: int  # the V plane's mean over the middle row: whose picture it is (`Look.chroma`)
    media_s: float  # its RTP timestamp in seconds: the stream's own clock, unlike `at`


@dataclass
class Slot:
    """What one slot decoded."""

    frames: list[Frame] = field(default_factory=list)

    def since(self, start: float) -> list[Frame]:
        return [frame for frame in self.frames if frame.at >= start]

    def shows(self, chroma: int, since: float) -> bool:
        """Most frames decoded since `since` are the picture of chroma `chroma` (a loaded box's
        client may decode the odd frame broken, grey: pick looks away from 128)."""
        frames = self.since(since)
        close = [frame for frame in frames if abs(frame.chroma - chroma) <= 12]
        return len(frames) > 0 and len(close) >= 0.7 * len(frames)

    def fps(self, since: float) -> float:
        """Frames per second of stream time (not arrival: a busy client decodes in bursts)."""
        frames = self.since(since)
        span = frames[-1].media_s - frames[0].media_s if len(frames) > 1 else 0.0
        return (len(frames) - 1) / span if span > 0 else 0.0

    def last_at(self) -> float | None:
        return self.frames[-1].at if self.frames else None

    def size(self) -> tuple[int, int] | None:
        return (self.frames[-1].width, self.frames[-1].height) if self.frames else None


@dataclass
class TileViewer:
    pc: RTCPeerConnection
    slots: list[Slot]
    loss: float = 0.0  # share of incoming RTP packets dropped, 0..1
    rtp_dropped: int = 0
    payload_bytes: int = 0  # VP8 RTP payload that reached the viewer (not dropped, not RTX)
    readers: list[asyncio.Task[None]] = field(default_factory=list)
    offers: int = 0  # how many times it negotiated: one, however much the server re-points


class TileViewers:
    """Tile viewers on an asyncio thread of their own, driven from trio."""

    def __init__(self, thread: AsyncioThread) -> None:
        self._thread = thread
        self.viewers: list[TileViewer] = []

    async def open(
        self,
        signalling: Signalling,
        session_id: str,
        participant_id: str,
        slots: int,
        *,
        lossy: bool = False,
    ) -> TileViewer:
        """`lossy`: the viewer can drop RTP on demand (`loss`)."""

        async def offer() -> TileViewer:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            viewer = TileViewer(pc, [Slot() for _ in range(slots)])
            for _ in range(slots):
                pc.addTransceiver("video", direction="recvonly")

            @pc.on("track")
            def on_track(track: MediaStreamTrack) -> None:
                index = next(
                    i for i, t in enumerate(pc.getTransceivers()) if t.receiver.track is track
                )
                viewer.readers.append(asyncio.ensure_future(_read(track, viewer.slots[index])))

            await pc.setLocalDescription(await pc.createOffer())
            return viewer

        viewer: TileViewer = await self._thread.call(offer)
        self.viewers.append(viewer)
        answer = await signalling.answer(
            SdpOffer(
                session_id=session_id,
                participant_id=participant_id,
                role="subscribe",
                sdp=viewer.pc.localDescription.sdp,
            )
        )
        viewer.offers += 1

        async def apply() -> None:
            await viewer.pc.setRemoteDescription(
                RTCSessionDescription(sdp=answer.sdp, type="answer")
            )
            _count(viewer, lossy)

        await self._thread.call(apply)
        return viewer

    async def state(self, viewer: TileViewer) -> str:
        async def read() -> str:
            return str(viewer.pc.connectionState)

        return await self._thread.call(read)

    async def close_all(self) -> None:
        async def close() -> None:
            for viewer in self.viewers:
                for reader in viewer.readers:
                    reader.cancel()
                await viewer.pc.close()

        await self._thread.call(close)
        self.viewers.clear()


def _count(viewer: TileViewer, lossy: bool) -> None:
    """Count the VP8 payload reaching the viewer's one (bundled) DTLS transport, and drop
    `viewer.loss` of its RTP if `lossy`. aiortc's video jitter buffer waits for a lost packet until
    512 more arrive (half a minute of a tile) before it gives up and asks for a keyframe; a
    browser's gives up in well under a second. So a lossy viewer's receivers give up after 32, or
    the test would watch aiortc's stall instead of the SFU."""
    if lossy:
        for transceiver in viewer.pc.getTransceivers():
            transceiver.receiver._RTCRtpReceiver__jitter_buffer = JitterBuffer(32, is_video=True)
    transport: Any = viewer.pc.getTransceivers()[0].receiver.transport
    handle = transport._handle_rtp_data
    chance = random.Random(7)
    answer = viewer.pc.remoteDescription.sdp
    media_types = {int(pt) for pt in re.findall(r"a=rtpmap:(\d+) VP8/90000", answer)}

    async def maybe(data: bytes, arrival_time_ms: int) -> None:
        if viewer.loss and chance.random() < viewer.loss:
            viewer.rtp_dropped += 1
            return
        with contextlib.suppress(ValueError):
            packet = RtpPacket.parse(data, transport._rtp_header_extensions_map)
            if packet.payload_type in media_types:  # not retransmissions (RTX): sent once
                viewer.payload_bytes += len(packet.payload)
        await handle(data, arrival_time_ms)

    transport._handle_rtp_data = maybe


async def _read(track: MediaStreamTrack, slot: Slot) -> None:
    with contextlib.suppress(MediaStreamError):
        while True:
            frame = await track.recv()
            if isinstance(frame, av.VideoFrame):
                media_s = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
                slot.frames.append(
                    Frame(time.monotonic(), frame.width, frame.height, _mean_v(frame), media_s)
                )


@contextlib.asynccontextmanager
async def tile_viewers() -> AsyncIterator[TileViewers]:
    thread = AsyncioThread("test-tile-viewers")
    thread.start()
    viewers = TileViewers(thread)
    try:
        yield viewers
    finally:
        try:
            await viewers.close_all()
        finally:
            await thread.stop()
