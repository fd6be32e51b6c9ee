"""THB-2 / THB-5 / THB-4 / INV-3 at the SFU: a tile pool is one subscribe connection of N video
slots the server points at publishers and re-points while it stays up (no renegotiation); a
released slot stops receiving; a subscriber moves to the degraded rendition on the same connection;
what the receiver reports over RTCP and the bytes really sent come back in samples."""

from __future__ import annotations

import time

import pytest
import trio

from tests.tile_clients import tile_viewers
from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import Look
from tests.webrtc_clients import wait_for
from vvtv.media.errors import IncompatibleProfile
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.port import Participant

pytestmark = pytest.mark.slow

ANA, BEA, CAL = Look(chroma=40, noisy=True), Look(chroma=80), Look(chroma=200)


async def _publishers(sfu: LocalSFU, clients: ClientPeers, *looks: tuple[str, Look]) -> None:
    await sfu.create_webrtc_endpoints(
        "party",
        "thumb_low",
        tuple(Participant(participant_id=name, publishes=True) for name, _ in looks),
    )
    for name, look in looks:
        await clients.publish(sfu, "party", name, look=look)


@pytest.mark.req("THB-2", "THB-5")
async def test_slots_are_pointed_and_repointed_on_one_connection(
    sfu: LocalSFU, clients: ClientPeers
) -> None:
    """Two slots show ana and bea; then slot 0 is re-pointed to cal and slot 1 released: slot 0
    shows cal's picture without a new offer, slot 1 receives nothing more, ana's and bea's
    thumbnail encoders are freed (nobody receives them)."""
    await _publishers(sfu, clients, ("ana", ANA), ("bea", BEA), ("cal", CAL))
    await sfu.create_webrtc_endpoints(
        "viewer-party", "thumb_low", (Participant(participant_id="vic", publishes=True),)
    )
    endpoint = await sfu.open_tile_pool("viewer-party", "vic", 2)
    assert (endpoint.role, endpoint.slots) == ("subscribe", 2)
    assert await sfu.open_tile_pool("viewer-party", "vic", 2) == endpoint  # idempotent
    async with tile_viewers() as viewers:
        vic = await viewers.open(sfu, "viewer-party", "vic", 2)
        await sfu.point_tiles("viewer-party", "vic", ("ana", "bea"))
        await wait_for(lambda: all(len(slot.frames) > 5 for slot in vic.slots))
        start = time.monotonic()
        await trio.sleep(2.0)
        assert vic.slots[0].shows(ANA.chroma, start), vic.slots[0].since(start)
        assert vic.slots[1].shows(BEA.chroma, start), vic.slots[1].since(start)
        assert all(f.width <= 320 and f.height <= 180 for f in vic.slots[0].frames)

        await sfu.point_tiles("viewer-party", "vic", ("cal", None))
        released_at = time.monotonic()
        await wait_for(lambda: vic.slots[0].shows(CAL.chroma, time.monotonic() - 0.5))
        await trio.sleep(1.5)
        last = vic.slots[1].last_at()
        assert last is not None
        assert last < released_at + 0.5, "slot 1 kept receiving"
        assert vic.offers == 1
        assert len(vic.pc.getTransceivers()) == 2
        assert await viewers.state(vic) == "connected"
        assert sfu.statistics().encoders == {"thumb_low": 1}  # cal's only


@pytest.mark.req("THB-4", "INV-3")
async def test_a_pool_steps_down_on_the_same_connection_and_reports_what_it_measured(
    sfu: LocalSFU, clients: ClientPeers
) -> None:
    """The SFU samples the receiver's RTCP reports: injected loss shows as packets lost; moving
    the pool to thumb_degraded on the same connection brings ≤ 213x120 pictures at ≤ 4 fps; a
    pool never opens on a profile with audio; bytes sent grow with what was delivered."""
    await _publishers(sfu, clients, ("ana", ANA))
    await sfu.create_webrtc_endpoints(
        "viewer-party", "thumb_low", (Participant(participant_id="vic", publishes=True),)
    )
    await sfu.create_webrtc_endpoints(
        "a-call", "call_private", (Participant(participant_id="vic", publishes=True),)
    )
    with pytest.raises(IncompatibleProfile):
        await sfu.open_tile_pool("a-call", "vic", 2)
    await sfu.open_tile_pool("viewer-party", "vic", 1)
    await sfu.point_tiles("viewer-party", "vic", ("ana",))
    async with tile_viewers() as viewers:
        vic = await viewers.open(sfu, "viewer-party", "vic", 1, lossy=True)
        await wait_for(lambda: len(vic.slots[0].frames) > 5)
        await sfu.sample_tile_pools()
        vic.loss = 0.3
        await trio.sleep(3.0)
        [lossy] = await sfu.sample_tile_pools()
        assert lossy.connected
        assert lossy.profile_name == "thumb_low"
        assert lossy.packets_expected > 0
        assert 0.1 < lossy.packets_lost / lossy.packets_expected < 0.6, lossy
        assert lossy.jitter_ms is not None
        vic.loss = 0.0

        await sfu.set_subscriber_profile("viewer-party", "vic", "thumb_degraded")
        await wait_for(lambda: vic.slots[0].size() == (212, 120))
        await trio.sleep(1.5)  # receiver reports of the lossy seconds are still on their way
        await sfu.sample_tile_pools()
        start = time.monotonic()
        await trio.sleep(3.0)
        frames = vic.slots[0].since(start)
        assert frames
        assert all(f.width <= 213 and f.height <= 120 for f in frames)
        assert vic.slots[0].fps(start) <= 4.5
        [clean] = await sfu.sample_tile_pools()
        assert clean.profile_name == "thumb_degraded"
        assert clean.packets_lost <= clean.packets_expected * 0.05
        assert clean.bytes_sent > lossy.bytes_sent
        assert vic.offers == 1
        assert sfu.statistics().encoders == {"thumb_degraded": 1}
