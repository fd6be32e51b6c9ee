"""MED-3 / THB-3 / THB-4: encode once per (publisher, rendition), keyframes from the shared
encoder for late joiners and PLI, and rendition switching without renegotiation."""

from __future__ import annotations

import time

import pytest
import trio

from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import wait_for
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.port import Participant

pytestmark = pytest.mark.slow


async def publish_alice(sfu: LocalSFU, clients: ClientPeers, viewers: int) -> None:
    await sfu.create_webrtc_endpoints(
        "party", "thumb_low", (Participant(participant_id="alice", publishes=True),)
    )
    for n in range(viewers):
        await sfu.create_webrtc_endpoints(
            f"tile-{n}",
            "thumb_low",
            (Participant(participant_id=f"viewer-{n}", subscribes_to=("alice",)),),
        )
    await clients.publish(sfu, "party", "alice")


async def test_many_subscribers_share_one_encoder(sfu: LocalSFU, clients: ClientPeers) -> None:
    """MED-3 / THB-3: 6 subscribers of one publisher → ONE thumb_low encoder; it encodes ≤ 8 fps
    and ≤ the 180 kbps cap whatever the audience, and each packet is forwarded to all 6."""
    viewers = 6
    await publish_alice(sfu, clients, viewers)
    peers = [
        await clients.subscribe(sfu, f"tile-{n}", f"viewer-{n}", audios=0) for n in range(viewers)
    ]
    await wait_for(lambda: all(len(p.received.video) > 3 for p in peers))
    before = sfu.statistics()
    await trio.sleep(3.0)
    after = sfu.statistics()

    assert after.encoders == {"thumb_low": 1}
    encoded = after.frames_encoded_total - before.frames_encoded_total
    forwarded = after.packets_forwarded_total - before.packets_forwarded_total
    assert encoded <= 8 * 3 + 1
    assert forwarded == encoded * viewers  # the same packets to every subscriber, none re-encoded
    kbps = (after.encoded_bytes_total - before.encoded_bytes_total) * 8 / 3.0 / 1000
    assert kbps <= 180 * 1.15, kbps
    assert after.packets_dropped_total == 0
    for peer in peers:
        assert all(w <= 320 and h <= 180 for _, w, h in peer.received.video)


async def test_late_subscriber_decodes_within_a_second(sfu: LocalSFU, clients: ClientPeers) -> None:
    """MED-3: a subscriber joining mid-GOP gets a keyframe from the shared encoder at once (its
    join is routed to the encoder) and decodes its first frame within ~1 s of connecting."""
    await publish_alice(sfu, clients, 2)
    first = await clients.subscribe(sfu, "tile-0", "viewer-0", audios=0)
    await wait_for(lambda: len(first.received.video) > 8)  # well inside a 2 s GOP
    requested = sfu.statistics().keyframes_requested_total
    start = time.monotonic()
    late = await clients.subscribe(sfu, "tile-1", "viewer-1", audios=0)
    await wait_for(lambda: late.received.first_video_at() is not None, within_s=5)
    first_frame_at = late.received.first_video_at()
    assert first_frame_at is not None
    assert first_frame_at - start < 1.5  # includes ICE + DTLS on loopback
    assert sfu.statistics().keyframes_requested_total > requested


async def test_pli_is_routed_to_the_shared_encoder(sfu: LocalSFU, clients: ClientPeers) -> None:
    """MED-3: a subscriber's PLI makes the shared encoder emit a keyframe (pre-encoded packets
    would ignore the sender's own keyframe flag)."""
    await publish_alice(sfu, clients, 1)
    viewer = await clients.subscribe(sfu, "tile-0", "viewer-0", audios=0)
    await wait_for(lambda: len(viewer.received.video) > 4)
    before = sfu.statistics()

    async def send_pli() -> None:
        receiver = viewer.pc.getReceivers()[0]
        for ssrc in list(receiver._RTCRtpReceiver__remote_streams):  # type: ignore[attr-defined]
            await receiver._send_rtcp_pli(ssrc)

    await clients._thread.call(send_pli)
    await wait_for(
        lambda: sfu.statistics().keyframes_encoded_total > before.keyframes_encoded_total,
        within_s=1.0,
    )
    assert sfu.statistics().keyframes_requested_total > before.keyframes_requested_total


async def test_switching_rendition_without_renegotiation(
    sfu: LocalSFU, clients: ClientPeers
) -> None:
    """THB-4: `set_subscriber_profile` moves a live subscriber to thumb_degraded (120p, 4 fps) at
    a keyframe, on the same peer connection; thumb_low's encoder is freed when nobody uses it."""
    await publish_alice(sfu, clients, 1)
    viewer = await clients.subscribe(sfu, "tile-0", "viewer-0", audios=0)
    await wait_for(lambda: len(viewer.received.video) > 4)
    assert viewer.received.video[-1][1:] == (320, 180)

    await sfu.set_subscriber_profile("tile-0", "viewer-0", "thumb_degraded")
    await wait_for(lambda: viewer.received.video[-1][1:] == (212, 120), within_s=2)
    start = time.monotonic()
    await trio.sleep(2.0)
    window = viewer.received.video_between(start, start + 2.0)
    assert all((w, h) == (212, 120) for _, w, h in window)
    assert len(window) <= 4 * 2 + 1
    assert sfu.statistics().encoders == {"thumb_degraded": 1}
    assert viewer.pc.connectionState == "connected"
