"""The client process of scripts/bench/tiles: aiortc peers on one asyncio loop, driven over a pipe.

Publishers send a pre-encoded busy clip at a tile camera's size (what the UI asks getUserMedia
for in a thumbnail mode), so the SFU's encoders run at their cap. Viewers open one connection of
N recvonly video m-lines (their pool) and count what reaches their transport (frames, packets,
bytes) instead of decoding it, so the clients stay cheap; counts and connection states come back
on request.
"""

from __future__ import annotations

import asyncio
from multiprocessing.connection import Connection
from typing import Any


def client_process(conn: Connection) -> None:
    from vvtv.media.local_sfu.ice import allow_loopback_candidates

    allow_loopback_candidates()
    counts = {"frames": 0, "packets": 0, "bytes": 0}

    asyncio.run(_loop(conn, counts))


def _count_at_transport(pc: Any, counts: dict[str, int]) -> None:
    """A viewer counts what reaches its transport (after SRTP) and stops there: a frame is a
    packet with the RTP marker bit. aiortc's receivers cost ~50 us a packet in Python, which would
    make this process, not the SFU, the bottleneck; they also send no RTCP back this way, which
    the SFU does not need to keep sending."""
    transport = pc.getTransceivers()[0].receiver.transport

    async def counted(data: bytes, arrival_time_ms: int) -> None:
        counts["packets"] += 1
        counts["bytes"] += len(data) - 12  # payload, near enough (plus header extensions)
        if data[1] & 0x80:
            counts["frames"] += 1

    transport._handle_rtp_data = counted  # noqa: SLF001


async def _loop(conn: Connection, counts: dict[str, int]) -> None:
    from aiortc import RTCConfiguration
    from aiortc import RTCPeerConnection
    from aiortc import RTCSessionDescription

    from tests.synthetic_media import PreEncodedVideoTrack

    loop = asyncio.get_running_loop()
    peers: dict[str, RTCPeerConnection] = {}
    while True:
        command, payload = await loop.run_in_executor(None, conn.recv)
        if command == "publishers":  # [(key, width, height, fps, kbps)]
            offers = []
            for key, width, height, fps, kbps in payload:
                pc = peers[key] = RTCPeerConnection(RTCConfiguration(iceServers=[]))
                pc.addTrack(PreEncodedVideoTrack(width, height, fps, noisy=True, kbps=kbps))
                await pc.setLocalDescription(await pc.createOffer())
                offers.append(pc.localDescription.sdp)
            conn.send(offers)
        elif command == "viewers":  # [(key, slots)]
            offers = []
            for key, slots in payload:
                pc = peers[key] = RTCPeerConnection(RTCConfiguration(iceServers=[]))
                for _ in range(slots):
                    pc.addTransceiver("video", direction="recvonly")
                await pc.setLocalDescription(await pc.createOffer())
                offers.append(pc.localDescription.sdp)
            conn.send(offers)
        elif command == "answers":  # [(key, sdp)]
            for key, sdp in payload:
                answer = RTCSessionDescription(sdp=sdp, type="answer")
                await peers[key].setRemoteDescription(answer)
                if peers[key].getTransceivers()[0].direction == "recvonly":
                    _count_at_transport(peers[key], counts)
            conn.send(None)
        elif command == "counts":
            connected = sum(pc.connectionState == "connected" for pc in peers.values())
            conn.send({**counts, "connected": connected})
        elif command == "exit":
            await asyncio.gather(*(pc.close() for pc in peers.values()), return_exceptions=True)
            conn.send(None)
            return
