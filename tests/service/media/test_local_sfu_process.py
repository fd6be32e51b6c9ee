"""MED-1/MED-3 with the engine in its worker process (`SfuOptions.process`, how `vvtv serve` runs
it): the same port, the same media, typed errors across the pipe, peer events and statistics."""

from __future__ import annotations

import time

import pytest
import trio

from tests.tile_clients import tile_viewers
from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import Look
from tests.webrtc_clients import wait_for
from vvtv.media.errors import UnknownEndpoint
from vvtv.media.errors import UnknownMediaSession
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.port import Participant
from vvtv.media.port import SdpOffer

pytestmark = pytest.mark.slow


@pytest.mark.req("MED-1", "MED-3", "THB-2")
async def test_the_port_works_the_same_with_the_engine_in_its_own_process(
    worker_sfu: LocalSFU, clients: ClientPeers
) -> None:
    sfu = worker_sfu
    await sfu.create_webrtc_endpoints(
        "party", "thumb_low", (Participant(participant_id="ana", publishes=True),)
    )
    await sfu.create_webrtc_endpoints(
        "viewer", "thumb_low", (Participant(participant_id="vic", publishes=True),)
    )
    with pytest.raises(UnknownEndpoint):
        await sfu.answer(SdpOffer(session_id="party", participant_id="x", role="publish", sdp=""))
    with pytest.raises(UnknownMediaSession):
        await sfu.open_tile_pool("nowhere", "vic", 2)
    await clients.publish(sfu, "party", "ana", look=Look(chroma=40))
    await sfu.open_tile_pool("viewer", "vic", 2)
    await sfu.point_tiles("viewer", "vic", (None, "ana"))
    async with tile_viewers() as viewers:
        vic = await viewers.open(sfu, "viewer", "vic", 2)
        await wait_for(lambda: len(vic.slots[1].frames) > 5)
        assert vic.slots[1].shows(40, time.monotonic() - 1.0)
        assert vic.slots[0].frames == []
        await trio.sleep(0.3)
        stats = sfu.statistics()
        assert stats.publishers == 1
        assert stats.encoders == {"thumb_low": 1}
        assert stats.frames_encoded_total > 0
        [sample] = await sfu.sample_tile_pools()
        assert sample.bytes_sent > 0
        states = []
        while len(states) < 2:
            event = await sfu.events.receive()
            states.append((event.participant_id, event.role, event.state))
        assert set(states) == {("ana", "publish", "connected"), ("vic", "subscribe", "connected")}
    report = await sfu.revoke_endpoints("viewer")
    assert report.peer_connections_closed == 1
