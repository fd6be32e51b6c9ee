"""THB-5 / THB-2 / INV-4 over /ws, on trio's MockClock: a viewer's pool holds its device's budget
and refuses the next tile with `tile.refused` (`tile_budget`); a tile out of view is released by
the server's own timer after `viewport.out_of_view_disconnect_s`; presence's rule decides whose
camera may be shown; a session keeps the device class it was opened with."""

from __future__ import annotations

import time
from typing import Any

import pytest
import trio.testing

from tests.service.presence.conftest import World
from tests.service.tiles.conftest import answer
from tests.service.tiles.conftest import cameras_on
from tests.service.tiles.conftest import open_tiles
from tests.service.tiles.conftest import start_session

REAL_WAITS, REAL_WAIT_S = 250, 0.02  # up to 5 s of real time for work on the SFU's thread


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [event for event in events if event["type"] == kind]


@pytest.mark.req("THB-5", "THB-1")
async def test_the_desktop_budget_is_granted_and_the_13th_tile_refused(world: World) -> None:
    handles = [f"pub{n:02}" for n in range(13)]
    people = await world.users("vic", *handles)
    publishers = [people[h] for h in handles]
    await cameras_on(world, *publishers)
    session_id = await start_session(world, people["vic"])
    async with world.tab(people["vic"]) as vic:
        opened = await open_tiles(vic, session_id)
        budget = world.config.limits.tiles.desktop
        assert opened == {
            "type": "tile.opened", "v": 1, "session_id": session_id, "device": "desktop",
            "slots": budget, "profile": "thumb_low",
        }  # fmt: skip
        await vic.send("tile.visible", publisher_ids=[p.id for p in publishers])
        events = await vic.settle()
        granted = of(events, "tile.granted")
        assert [g["publisher_id"] for g in granted] == [p.id for p in publishers[:budget]]
        assert sorted(g["slot"] for g in granted) == list(range(budget))
        [refused] = of(events, "tile.refused")
        assert refused["publisher_id"] == publishers[budget].id
        assert refused["code"] == "tile_budget"
        figures = world.services.tiles.statistics()
        assert [v.device for v in figures.viewers] == ["desktop"]

        # One tile in view leaves: the waiting 13th takes its slot at once.
        await vic.send("tile.hidden", publisher_ids=[publishers[0].id])
        events = await vic.settle()
        assert of(events, "tile.released") == [
            {"type": "tile.released", "v": 1, "publisher_id": publishers[0].id,
             "reason": "out_of_view"}
        ]  # fmt: skip
        assert of(events, "tile.granted") == [
            {"type": "tile.granted", "v": 1, "publisher_id": publishers[budget].id, "slot": 0}
        ]


@pytest.mark.req("THB-2", "INV-4")
async def test_a_tile_out_of_view_is_released_by_the_server_after_the_delay(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("vic", "ana", "bea")
    await cameras_on(world, people["ana"], people["bea"])
    session_id = await start_session(world, people["vic"])
    delay = world.config.limits.viewport.out_of_view_disconnect_s
    assert delay > 0.5  # moves by halves: exact in binary, so "due" is never off by a rounding
    async with world.tab(people["vic"]) as vic:
        await open_tiles(vic, session_id, device="mobile")
        await vic.send("tile.visible", publisher_ids=[people["ana"].id, people["bea"].id])
        assert len(of(await vic.settle(), "tile.granted")) == 2
        await vic.send("tile.hidden", publisher_ids=[people["ana"].id])
        assert await vic.settle() == []
        await world.advance(mock_clock, delay - 0.5)
        assert await vic.settle() == []  # still within the delay: the slot is kept
        # Back in view and out again: the delay starts over.
        await vic.send("tile.visible", publisher_ids=[people["bea"].id, people["ana"].id])
        await vic.send("tile.hidden", publisher_ids=[people["ana"].id])
        assert await vic.settle() == []
        await world.advance(mock_clock, delay - 0.5)
        assert await vic.settle() == []
        await world.advance(mock_clock, 0.5)
        events = await vic.settle()
        for _ in range(REAL_WAITS):  # the release re-points the SFU's pool on its thread, in
            if events:  # real time: the heartbeat's answer can overtake it
                break
            await trio.to_thread.run_sync(time.sleep, REAL_WAIT_S)
            events = await vic.settle()
        assert events == [
            {"type": "tile.released", "v": 1, "publisher_id": people["ana"].id,
             "reason": "out_of_view"}
        ]  # fmt: skip
        [viewer] = world.services.tiles.statistics().viewers
        assert viewer.device == "mobile"


@pytest.mark.req("THB-5", "MOD-2", "MOD-4")
async def test_only_cameras_presence_shows_the_viewer_are_granted_and_a_block_releases(
    world: World,
) -> None:
    people = await world.users("vic", "ana", "bea", "cyd", "dee")
    await cameras_on(world, people["ana"], people["bea"])
    await world.set(people["cyd"], is_camera_on=True, visibility="hidden")
    await world.set(people["dee"])  # camera off
    session_id = await start_session(world, people["vic"])
    async with world.tab(people["vic"]) as vic:
        await open_tiles(vic, session_id)
        ids = [people[h].id for h in ("ana", "bea", "cyd", "dee")]
        await vic.send("tile.visible", publisher_ids=ids)
        events = await vic.settle()
        assert [g["publisher_id"] for g in of(events, "tile.granted")] == ids[:2]
        assert [(r["publisher_id"], r["code"]) for r in of(events, "tile.refused")] == [
            (ids[2], "tile_unavailable"),
            (ids[3], "tile_unavailable"),
        ]
        response = await world.client.post(
            f"/blocks/{people['ana'].id}", json={}, headers=people["vic"].headers
        )
        assert response.status_code == 201, await response.get_data()
        # The block reaches tiles through identity's hook after the reply: wait for the event
        # rather than for a heartbeat's answer, which may come first.
        with trio.fail_after(10):
            released = await vic.next()
            while released["type"] != "tile.released":
                released = await vic.next()
        assert released == {
            "type": "tile.released", "v": 1, "publisher_id": ids[0], "reason": "unavailable"
        }  # fmt: skip
        assert of(await vic.settle(), "tile.released") == []  # released once


@pytest.mark.req("THB-5")
async def test_a_session_keeps_its_device_class_and_only_tile_sessions_open(
    world: World,
) -> None:
    people = await world.users("vic")
    session_id = await start_session(world, people["vic"])
    async with world.tab(people["vic"]) as one, world.tab(people["vic"]) as two:
        assert (await open_tiles(one, session_id, "mobile"))["slots"] == (
            world.config.limits.tiles.mobile
        )
        refused = await open_tiles(two, session_id, "desktop")
        assert (refused["type"], refused["status"], refused["code"]) == (
            "error", 409, "device_mismatch",
        )  # fmt: skip
        mirror = await start_session(world, people["vic"], mode="mirror")
        refused = await open_tiles(two, mirror)
        assert (refused["status"], refused["code"]) == (409, "not_a_tile_session")
        await two.send("tile.visible", publisher_ids=["someone"])
        refused = await answer(two)
        assert (refused["status"], refused["code"]) == (409, "tiles_not_open")
        await two.send("tile.open", session_id="0" * 32, device="desktop")
        assert (await answer(two))["status"] == 404
