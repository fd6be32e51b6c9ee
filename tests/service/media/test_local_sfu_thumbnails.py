"""MED-3 / THB-1 / THB-3 / INV-3: real WebRTC through the LocalSFU with aiortc clients."""

from __future__ import annotations

import time

import pytest
import trio

from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import Received
from tests.webrtc_clients import wait_for
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.port import Participant

pytestmark = pytest.mark.slow


async def test_thumb_low_caps_and_no_audio(sfu: LocalSFU, clients: ClientPeers) -> None:
    """MED-3 / THB-1 / THB-3 / INV-3: two aiortc publishers send 640x360@30 video + audio; a
    thumb_low subscriber decodes ≤ 320x180 at ≤ 8 fps and receives no audio track at all."""
    await sfu.create_webrtc_endpoints(
        "party-a",
        "thumb_low",
        (
            Participant(participant_id="alice", publishes=True),
            Participant(participant_id="bob", publishes=True),
        ),
    )
    await sfu.create_webrtc_endpoints(
        "tile-1",
        "thumb_low",
        (Participant(participant_id="viewer", subscribes_to=("alice", "bob")),),
    )
    await clients.publish(sfu, "party-a", "alice")
    await clients.publish(sfu, "party-a", "bob")
    viewer = await clients.subscribe(sfu, "tile-1", "viewer", videos=2, audios=2)
    received: Received = viewer.received
    await wait_for(lambda: len(received.video) > 10)
    start = time.monotonic()
    await trio.sleep(3.0)
    window = received.video_between(start, start + 3.0)
    stats = sfu.statistics()
    assert received.tracks == ["video", "video"]
    assert received.audio_frames == 0
    assert all(w <= 320 and h <= 180 for _, w, h in received.video)
    per_stream_fps = len(window) / 2 / 3.0
    assert 5 <= per_stream_fps <= 8.5, per_stream_fps
    assert stats.encoders == {"thumb_low": 2}
    print(stats)
