"""Live tiles end to end in-process, in real time, with real aiortc peers: members publish once
through their Party session (POST /sessions/{id}/offer), a viewer's pool connects through its own,
and the server points its slots: each slot decodes the member it was granted (their picture's
chroma), a tile out of view stops within the delay (THB-2); a lossy link steps the viewer down to
thumb_degraded and back up on the same connection (THB-4). The cost is test_tile_cost.py's."""

from __future__ import annotations

import time
from typing import Any

import pytest
import trio
from msgspec.structs import replace

from tests.service.presence.conftest import Tab
from tests.service.tiles.conftest import Live
from tests.service.tiles.conftest import cameras_on
from tests.webrtc_clients import Look
from tests.webrtc_clients import wait_for
from vvtv.config import ConfigBundle

pytestmark = pytest.mark.slow

ANA, BEA, CAL = Look(chroma=40, noisy=True), Look(chroma=80, noisy=True), Look(chroma=200)


@pytest.fixture
def tiles_config(cheap_config: ConfigBundle) -> ConfigBundle:
    """THB-4's way back up shortened to seconds and judged on loss only (the clients' jitter on a
    busy test box is its scheduler's, not a network's)."""
    limits = cheap_config.limits
    quality = replace(
        limits.tile_quality, recover_after_s=4.0, jitter_above_ms=1000, recover_jitter_below_ms=900
    )
    return replace(cheap_config, limits=replace(limits, tile_quality=quality))


async def events_until(tab: Tab, kind: str, within_s: float = 15.0) -> list[dict[str, Any]]:
    """Events up to and including the first of `kind`."""
    seen = []
    with trio.fail_after(within_s):
        while True:
            event = await tab.next()
            seen.append(event)
            if event["type"] == kind:
                return seen


def granted(events: list[dict[str, Any]]) -> dict[str, int]:
    return {e["publisher_id"]: e["slot"] for e in events if e["type"] == "tile.granted"}


@pytest.mark.req("THB-1", "THB-2", "INV-3", "INV-4")
async def test_granted_tiles_play_their_member_and_a_tile_out_of_view_stops(live: Live) -> None:
    world = live.world
    people = await world.users("vic", "ana", "bea", "cal")
    for handle, look in (("ana", ANA), ("bea", BEA), ("cal", CAL)):
        await live.publish(people[handle], look)
    await cameras_on(world, people["ana"], people["bea"], people["cal"])
    async with world.tab(people["vic"]) as tab:
        vic = await live.viewer(tab, people["vic"], device="mobile")
        ana, bea, cal = (people[h].id for h in ("ana", "bea", "cal"))
        await tab.send("tile.visible", publisher_ids=[ana, bea])
        slots = granted(await tab.settle())
        assert set(slots) == {ana, bea}
        await wait_for(lambda: all(len(vic.slots[s].frames) > 5 for s in slots.values()))
        start = time.monotonic()
        await trio.sleep(2.0)
        assert vic.slots[slots[ana]].shows(ANA.chroma, start), vic.slots
        assert vic.slots[slots[bea]].shows(BEA.chroma, start), vic.slots
        assert all(f.width <= 320 and f.height <= 180 for f in vic.slots[slots[ana]].frames)
        assert vic.pc.getTransceivers()[0].kind == "video"

        await tab.send("tile.hidden", publisher_ids=[ana])
        hidden_at = time.monotonic()
        delay = world.config.limits.viewport.out_of_view_disconnect_s
        released = await events_until(tab, "tile.released", within_s=delay + 1)
        assert released[-1]["publisher_id"] == ana
        await trio.sleep(1.0)
        last = vic.slots[slots[ana]].last_at()
        assert last is not None
        assert last < hidden_at + delay + 1.0, "the tile out of view kept receiving"

        await cameras_on(world, people["cal"])  # HTTP presence lives ghost_ttl_s unless renewed
        await tab.send("tile.visible", publisher_ids=[cal])
        [slot] = granted(await tab.settle()).values()
        await wait_for(lambda: vic.slots[slot].shows(CAL.chroma, time.monotonic() - 0.5))
        assert vic.offers == 1  # every change above was the server re-pointing a slot
        assert await live.viewers.state(vic) == "connected"


@pytest.mark.req("THB-4")
async def test_a_lossy_viewer_steps_down_on_the_same_connection_and_back_up(live: Live) -> None:
    world = live.world
    people = await world.users("vic", "ana")
    await live.publish(people["ana"], ANA)
    await cameras_on(world, people["ana"])
    async with world.tab(people["vic"]) as tab:
        vic = await live.viewer(tab, people["vic"], lossy=True)
        await tab.send("tile.visible", publisher_ids=[people["ana"].id])
        [index] = granted(await tab.settle()).values()
        slot = vic.slots[index]
        await wait_for(lambda: len(slot.frames) > 5)
        vic.loss = 0.3
        down = await events_until(tab, "tile.profile", within_s=10)
        assert down[-1] == {"type": "tile.profile", "v": 1, "publisher_id": people["ana"].id,
                            "profile": "thumb_degraded"}  # fmt: skip
        vic.loss = 0.0
        started_clean = time.monotonic()  # the SFU cannot see a clean link before this
        await wait_for(lambda: slot.size() == (212, 120))
        up = await events_until(tab, "tile.profile", within_s=20)
        assert up[-1]["profile"] == "thumb_low"
        recover_after_s = world.config.limits.tile_quality.recover_after_s
        assert time.monotonic() - started_clean >= recover_after_s - 1.5  # hysteresis held
        await wait_for(lambda: slot.size() == (320, 180))
        assert vic.offers == 1
        assert await live.viewers.state(vic) == "connected"
