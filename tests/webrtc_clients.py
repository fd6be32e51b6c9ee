"""aiortc client peers for the media tests and the benchmark: they run on an asyncio thread of
their own (not the SFU's) and are driven from trio, signalling through the MediaProvider port."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import trio
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from tests.synthetic_media import PreEncodedVideoTrack, ToneAudioTrack
from vvtv.media.local_sfu.bridge import AsyncioThread
from vvtv.media.port import MediaProvider, Role, SdpOffer


@dataclass
class Received:
    """What one subscribing client decoded: per video frame (arrival time, width, height)."""

    video: list[tuple[float, int, int]] = field(default_factory=list)
    audio_frames: int = 0
    tracks: list[str] = field(default_factory=list)  # kinds of the tracks the SFU sent

    def first_video_at(self) -> float | None:
        return self.video[0][0] if self.video else None

    def video_between(self, start: float, end: float) -> list[tuple[float, int, int]]:
        return [entry for entry in self.video if start <= entry[0] < end]


@dataclass
class ClientPeer:
    pc: RTCPeerConnection
    received: Received
    readers: list[asyncio.Task[None]] = field(default_factory=list)


class ClientPeers:
    def __init__(self, thread: AsyncioThread) -> None:
        self._thread = thread
        self.peers: list[ClientPeer] = []

    async def publish(
        self,
        provider: MediaProvider,
        session_id: str,
        participant_id: str,
        *,
        audio: bool = True,
        width: int = 640,
        height: int = 360,
        fps: int = 30,
    ) -> ClientPeer:
        async def offer() -> ClientPeer:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            pc.addTrack(PreEncodedVideoTrack(width, height, fps))
            if audio:
                pc.addTrack(ToneAudioTrack())
            await pc.setLocalDescription(await pc.createOffer())
            return ClientPeer(pc, Received())

        return await self._negotiate(provider, session_id, participant_id, "publish", offer)

    async def subscribe(
        self,
        provider: MediaProvider,
        session_id: str,
        participant_id: str,
        *,
        videos: int = 1,
        audios: int = 1,
        decode: bool = True,
    ) -> ClientPeer:
        async def offer() -> ClientPeer:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            peer = ClientPeer(pc, Received())
            for _ in range(videos):
                pc.addTransceiver("video", direction="recvonly")
            for _ in range(audios):
                pc.addTransceiver("audio", direction="recvonly")

            @pc.on("track")
            def on_track(track: MediaStreamTrack) -> None:
                if decode:
                    peer.readers.append(asyncio.ensure_future(_read(track, peer.received)))

            await pc.setLocalDescription(await pc.createOffer())
            return peer

        return await self._negotiate(provider, session_id, participant_id, "subscribe", offer)

    async def _negotiate(
        self, provider: MediaProvider, session_id: str, participant_id: str, role: Role, make
    ) -> ClientPeer:
        peer: ClientPeer = await self._thread.call(make)
        self.peers.append(peer)
        answer = await provider.answer(
            SdpOffer(
                session_id=session_id,
                participant_id=participant_id,
                role=role,
                sdp=peer.pc.localDescription.sdp,
            )
        )

        async def apply() -> None:
            await peer.pc.setRemoteDescription(RTCSessionDescription(sdp=answer.sdp, type="answer"))

        await self._thread.call(apply)
        return peer

    async def state(self, peer: ClientPeer) -> str:
        async def read() -> str:
            return str(peer.pc.connectionState)

        return await self._thread.call(read)

    async def close_all(self) -> None:
        async def close() -> None:
            for peer in self.peers:
                for reader in peer.readers:
                    reader.cancel()
                await peer.pc.close()

        await self._thread.call(close)
        self.peers.clear()


async def _read(track: MediaStreamTrack, received: Received) -> None:
    received.tracks.append(track.kind)
    with contextlib.suppress(MediaStreamError):
        while True:
            frame = await track.recv()
            if track.kind == "video":
                received.video.append((time.monotonic(), frame.width, frame.height))  # type: ignore[union-attr]
            else:
                received.audio_frames += 1


@contextlib.asynccontextmanager
async def client_peers() -> AsyncIterator[ClientPeers]:
    thread = AsyncioThread("test-clients")
    thread.start()
    peers = ClientPeers(thread)
    try:
        yield peers
    finally:
        try:
            await peers.close_all()
        finally:
            await thread.stop()


async def wait_for(predicate: Callable[[], bool], within_s: float = 10.0) -> None:
    """Poll `predicate` from trio until it holds: media state changes on other threads, so
    there is no trio.Event to wait on."""
    with trio.fail_after(within_s):
        while not predicate():  # noqa: ASYNC110
            await trio.sleep(0.02)
