"""A tile viewer as an aiortc client: one subscribe connection with N recvonly video m-lines (the
pool's slots), what each slot decoded (arrival time, size, chroma: whose picture it was), the bytes
that reached it, and a lossy network on demand (a share of incoming RTP dropped before aiortc sees
it, so the client's receiver reports really count it lost: THB-4)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import av
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.jitterbuffer import JitterBuffer
from aiortc.mediastreams import MediaStreamError

from tests.webrtc_clients import Signalling, _mean_v
from vvtv.media.local_sfu.bridge import AsyncioThread
from vvtv.media.port import SdpOffer


@dataclass
class Slot:
    """What one slot decoded: (arrival time, width, height, mean V chroma) per frame."""

    frames: list[tuple[float, int, int, int]] = field(default_factory=list)

    def since(self, start: float) -> list[tuple[float, int, int, int]]:
        return [frame for frame in self.frames if frame[0] >= start]

    def chroma_since(self, start: float) -> list[int]:
        return [frame[3] for frame in self.since(start)]

    def last_at(self) -> float | None:
        return self.frames[-1][0] if self.frames else None


@dataclass
class TileViewer:
    pc: RTCPeerConnection
    slots: list[Slot]
    loss: float = 0.0  # share of incoming RTP packets dropped, 0..1
    rtp_dropped: int = 0
    readers: list[asyncio.Task[None]] = field(default_factory=list)
    offers: int = 0  # how many times it negotiated: one, however much the server re-points


class TileViewers:
    """Tile viewers on an asyncio thread of their own, driven from trio."""

    def __init__(self, thread: AsyncioThread) -> None:
        self._thread = thread
        self.viewers: list[TileViewer] = []

    async def open(
        self, signalling: Signalling, session_id: str, participant_id: str, slots: int
    ) -> TileViewer:
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
            _lossy(viewer)

        await self._thread.call(apply)
        return viewer

    async def state(self, viewer: TileViewer) -> str:
        async def read() -> str:
            return str(viewer.pc.connectionState)

        return await self._thread.call(read)

    async def bytes_received(self, viewer: TileViewer) -> int:
        """RTP payload bytes that reached the viewer's receivers (aiortc's inbound-rtp stats)."""

        async def read() -> int:
            total = 0
            for transceiver in viewer.pc.getTransceivers():
                report = await transceiver.receiver.getStats()
                total += sum(
                    getattr(stats, "bytesReceived", 0)
                    for stats in report.values()
                    if stats.type == "inbound-rtp"
                )
            return total

        return await self._thread.call(read)

    async def close_all(self) -> None:
        async def close() -> None:
            for viewer in self.viewers:
                for reader in viewer.readers:
                    reader.cancel()
                await viewer.pc.close()

        await self._thread.call(close)
        self.viewers.clear()


def _lossy(viewer: TileViewer) -> None:
    """Drop `viewer.loss` of the RTP reaching its one (bundled) DTLS transport. aiortc's video
    jitter buffer waits for a lost packet until 512 more arrive (half a minute of a tile) before
    it gives up and asks for a keyframe; a browser's gives up in well under a second. So each
    receiver here gives up after 32, or the test would watch aiortc's stall instead of the SFU."""
    for transceiver in viewer.pc.getTransceivers():
        transceiver.receiver._RTCRtpReceiver__jitter_buffer = JitterBuffer(32, is_video=True)
    transport: Any = viewer.pc.getTransceivers()[0].receiver.transport
    handle = transport._handle_rtp_data
    chance = random.Random(7)

    async def maybe(data: bytes, arrival_time_ms: int) -> None:
        if viewer.loss and chance.random() < viewer.loss:
            viewer.rtp_dropped += 1
            return
        await handle(data, arrival_time_ms)

    transport._handle_rtp_data = maybe


async def _read(track: MediaStreamTrack, slot: Slot) -> None:
    with contextlib.suppress(MediaStreamError):
        while True:
            frame = await track.recv()
            if isinstance(frame, av.VideoFrame):
                slot.frames.append((time.monotonic(), frame.width, frame.height, _mean_v(frame)))


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
