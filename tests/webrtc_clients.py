"""aiortc client peers for the media tests and the benchmark: they run on an asyncio thread of
their own (not the SFU's) and are driven from trio, signalling through anything that answers an
offer: the MediaProvider port itself, or the session routes over HTTP (`HttpSignalling`)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Protocol

import av
import trio
from aiortc import MediaStreamTrack
from aiortc import RTCConfiguration
from aiortc import RTCPeerConnection
from aiortc import RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from quart.typing import TestClientProtocol as HttpClient

from tests.synthetic_media import DEFAULT_CHROMA
from tests.synthetic_media import DEFAULT_TONE_HZ
from tests.synthetic_media import PreEncodedVideoTrack
from tests.synthetic_media import ToneAudioTrack
from tests.synthetic_pictures import Picture
from tests.synthetic_pictures import PictureVideoTrack
from vvtv.media.local_sfu.bridge import AsyncioThread
from vvtv.media.port import Role
from vvtv.media.port import SdpAnswer
from vvtv.media.port import SdpOffer


class Signalling(Protocol):
    """Whatever answers a client's offer: `MediaProvider.answer`, or the product's route."""

    async def answer(self, offer: SdpOffer) -> SdpAnswer: ...


class HttpSignalling:
    """The MediaProvider's `answer`, as a browser reaches it: POST /sessions/{id}/offer. Every
    response body is kept in `bodies`, so a test can check what the server told this client."""

    def __init__(self, client: HttpClient, headers: dict[str, str]) -> None:
        self._client = client
        self.headers = headers
        self.bodies: list[str] = []

    async def answer(self, offer: SdpOffer) -> SdpAnswer:
        response = await self._client.post(
            f"/sessions/{offer.session_id}/offer",
            json={"role": offer.role, "sdp": offer.sdp},
            headers=self.headers,
        )
        self.bodies.append((await response.get_data()).decode())
        assert response.status_code == 200, self.bodies[-1]
        body: dict[str, Any] = await response.get_json()
        return SdpAnswer(
            session_id=offer.session_id,
            participant_id=offer.participant_id,
            role=body["role"],
            sdp=body["sdp"],
        )


@dataclass(frozen=True)
class Look:
    """What one publishing client sends: its picture's chroma and its tone's pitch, so whoever
    receives it can tell it from another publisher's (`Received.chroma`, `Received.pitch_hz`)."""

    chroma: int = DEFAULT_CHROMA
    tone_hz: float = DEFAULT_TONE_HZ
    noisy: bool = False  # a busy picture: the SFU's encoders run near their bitrate caps
    picture: Picture | None = None  # instead of the bar: one of the frame checks' test pictures


@dataclass
class Received:
    """What one subscribing client decoded: per video frame (arrival time, width, height) and
    its mean V chroma across the middle row; audio frames and their zero crossings."""

    video: list[tuple[float, int, int]] = field(default_factory=list)
    chroma: list[int] = field(default_factory=list)
    audio_frames: int = 0
    audio_samples: int = 0  # per channel
    audio_crossings: int = 0
    tracks: list[str] = field(default_factory=list)  # kinds of the tracks the SFU sent

    def pitch_hz(self) -> float:
        """The decoded audio's pitch, from its zero crossings (two per cycle)."""
        seconds = self.audio_samples / 48000
        return self.audio_crossings / 2 / seconds if seconds else 0.0

    def first_video_at(self) -> float | None:
        return self.video[0][0] if self.video else None

    def video_between(self, start: float, end: float) -> list[tuple[float, int, int]]:
        return [entry for entry in self.video if start <= entry[0] < end]


@dataclass
class ClientPeer:
    pc: RTCPeerConnection
    received: Received
    readers: list[asyncio.Task[None]] = field(default_factory=list)
    offer_sdp: str = ""
    answer_sdp: str = ""
    connected_at: float | None = None  # time.monotonic() when it first reached `connected`

    def watch(self) -> None:
        """Stamp `connected_at` (on the clients' asyncio thread, as it happens)."""

        @self.pc.on("connectionstatechange")
        def on_state() -> None:
            if self.pc.connectionState == "connected" and self.connected_at is None:
                self.connected_at = time.monotonic()


Address = tuple[str, int]
_CANDIDATE = re.compile(r"^a=candidate:\S+ \d+ \S+ \d+ (\S+) (\d+) typ", re.MULTILINE)


def candidates(sdp: str) -> set[Address]:
    """The (address, port) of every ICE candidate an SDP names."""
    return {(host, int(port)) for host, port in _CANDIDATE.findall(sdp)}


class ClientPeers:
    def __init__(self, thread: AsyncioThread) -> None:
        self._thread = thread
        self.peers: list[ClientPeer] = []

    async def publish(
        self,
        provider: Signalling,
        session_id: str,
        participant_id: str,
        *,
        audio: bool = True,
        width: int = 640,
        height: int = 360,
        fps: int = 30,
        kbps: int = 800,
        look: Look = Look(),
    ) -> ClientPeer:
        async def offer() -> ClientPeer:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            if look.picture is not None:
                pc.addTrack(PictureVideoTrack(look.picture, width, height, min(fps, 15)))
            else:
                video = PreEncodedVideoTrack(width, height, fps, look.noisy, look.chroma, kbps)
                pc.addTrack(video)
            if audio:
                pc.addTrack(ToneAudioTrack(look.tone_hz))
            await pc.setLocalDescription(await pc.createOffer())
            peer = ClientPeer(pc, Received())
            peer.watch()
            return peer

        return await self._negotiate(provider, session_id, participant_id, "publish", offer)

    async def subscribe(
        self,
        provider: Signalling,
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
            peer.watch()
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
        self, provider: Signalling, session_id: str, participant_id: str, role: Role, make
    ) -> ClientPeer:
        peer: ClientPeer = await self._thread.call(make)
        self.peers.append(peer)
        peer.offer_sdp = peer.pc.localDescription.sdp
        answer = await provider.answer(
            SdpOffer(
                session_id=session_id,
                participant_id=participant_id,
                role=role,
                sdp=peer.offer_sdp,
            )
        )
        peer.answer_sdp = answer.sdp

        async def apply() -> None:
            await peer.pc.setRemoteDescription(RTCSessionDescription(sdp=answer.sdp, type="answer"))

        await self._thread.call(apply)
        return peer

    async def state(self, peer: ClientPeer) -> str:
        async def read() -> str:
            return str(peer.pc.connectionState)

        return await self._thread.call(read)

    async def selected_pair(self, peer: ClientPeer) -> tuple[Address, Address]:
        """(local, remote) address of the ICE candidate pair the connection nominated."""

        async def read() -> tuple[Address, Address]:
            ice = peer.pc.getTransceivers()[0].receiver.transport.transport
            # aiortc does not expose the nominated pair (RTCIceTransport.getSelectedCandidatePair
            # is not implemented); aioice's connection holds it, per component.
            pair = ice._connection._nominated[1]
            local, remote = pair.local_candidate, pair.remote_candidate
            return (local.host, local.port), (remote.host, remote.port)

        return await self._thread.call(read)

    async def close(self, peer: ClientPeer) -> None:
        """Close one peer connection, as a tab that goes away does."""

        async def close() -> None:
            for reader in peer.readers:
                reader.cancel()
            await peer.pc.close()

        await self._thread.call(close)
        self.peers.remove(peer)

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
            if isinstance(frame, av.VideoFrame):
                received.video.append((time.monotonic(), frame.width, frame.height))
                received.chroma.append(_mean_v(frame))
            elif isinstance(frame, av.AudioFrame):
                received.audio_frames += 1
                _count_crossings(frame, received)


def _mean_v(frame: av.VideoFrame) -> int:
    """The V (red-difference) plane's mean over its middle row: the publisher's `Look.chroma`
    (a flat plane survives VP8 within a few units)."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    plane = frame.planes[2]
    row = bytes(plane)[(frame.height // 4) * plane.line_size :][: frame.width // 2]
    return sum(row) // max(1, len(row))


_AUDIBLE = 1000  # of s16; the synthetic tone's amplitude is 8000


def _count_crossings(frame: av.AudioFrame, received: Received) -> None:
    """Sign changes of the first channel between samples well clear of zero (codec noise near
    silence does not count), over the frames that carry sound at all."""
    channels = 1 if frame.format.is_planar else len(frame.layout.channels)
    samples = memoryview(bytes(frame.planes[0])).cast("h")[: frame.samples * channels : channels]
    crossings, sign = 0, 0
    for sample in samples:
        if abs(sample) < _AUDIBLE:
            continue
        now = 1 if sample > 0 else -1
        if sign and now != sign:
            crossings += 1
        sign = now
    if sign:
        received.audio_samples += len(samples)
        received.audio_crossings += crossings


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
