"""INV-7 / THB-4 over /ws, on trio's MockClock: tiles follow the kill-switch ladder, wired as the
product wires it. At `degraded_thumbs` every viewer's pool goes to the degraded rendition (THB-4's
path: `tile.profile`); at `party_tiles_off` (and `stills`, which has no picture of its own) every
granted tile is released `tiles_paused` and a tile coming into view is refused `tiles_paused`; a
viewer that opens meanwhile starts stepped down; back at level 0 the tiles in view play again."""

from __future__ import annotations

from typing import Any

import pytest
import trio

from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import World
from tests.service.tiles.conftest import cameras_on
from tests.service.tiles.conftest import open_tiles
from tests.service.tiles.conftest import start_session
from vvtv.tiles.messages import Ease


def tiles_news(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(type, publisher, profile/reason/code) of the tile events, the ladder's notices left out."""
    return [
        (e["type"], e["publisher_id"], e.get("profile") or e.get("reason") or e.get("code") or "")
        for e in events
        if e["type"].startswith("tile.")
    ]


async def pin(world: World, admin_id: str, level: int | None) -> None:
    await world.services.kill_switch.override(admin_id, level, "a test of the ladder")


async def news(tab: Tab, count: int) -> list[tuple[str, str, str]]:
    """The next `count` tile events, then nothing more queued (the ladder's change reaches each
    viewer's actor through its mailbox, and the SFU's answer, after the pin returns)."""
    seen: list[tuple[str, str, str]] = []
    with trio.fail_after(10):
        while len(seen) < count:
            seen += tiles_news([await tab.next()])
    assert tiles_news(await tab.settle()) == []
    return seen


@pytest.mark.req("INV-7", "THB-4", "THB-5")
async def test_tiles_step_down_with_the_ladder_and_come_back_with_it(world: World) -> None:
    people = await world.users("vic", "wes", "ana", "bea", "cal")
    ana, bea, cal = people["ana"].id, people["bea"].id, people["cal"].id
    await cameras_on(world, people["ana"], people["bea"], people["cal"])
    steps = world.config.limits.kill_switches.ladder.steps
    degraded, stills = steps.index("degraded_thumbs") + 1, steps.index("stills") + 1
    off = steps.index("party_tiles_off") + 1
    admin = people["vic"].id
    async with world.tab(people["vic"]) as vic:
        await open_tiles(vic, await start_session(world, people["vic"]))
        await vic.send("tile.visible", publisher_ids=[ana, bea])
        assert [kind for kind, _, _ in await news(vic, 2)] == ["tile.granted", "tile.granted"]

        await pin(world, admin, degraded)
        assert await news(vic, 2) == [
            ("tile.profile", ana, "thumb_degraded"),
            ("tile.profile", bea, "thumb_degraded"),
        ]
        [viewer] = world.services.tiles.statistics().viewers
        assert viewer.profile == "thumb_degraded"
        assert viewer.rate_kbps == 2 * world.config.media.profiles["thumb_degraded"].max_total_kbps

        await pin(world, admin, stills)  # no still picture on the server: the tiles go off
        assert await news(vic, 2) == [
            ("tile.released", ana, "tiles_paused"),
            ("tile.released", bea, "tiles_paused"),
        ]
        await pin(world, admin, off)
        assert tiles_news(await vic.settle()) == []  # already off
        await vic.send("tile.visible", publisher_ids=[cal])
        [refused] = [e for e in await vic.settle() if e["type"] == "tile.refused"]
        assert refused["code"] == "tiles_paused"
        assert refused["message"]
        [viewer] = world.services.tiles.statistics().viewers
        assert (viewer.connected, viewer.rate_kbps) == (0, 0)

        # A viewer opening while tiles are off starts there: stepped down, nothing granted.
        async with world.tab(people["wes"]) as wes:
            opened = await open_tiles(wes, await start_session(world, people["wes"]))
            assert opened["profile"] == "thumb_degraded"
            await wes.send("tile.visible", publisher_ids=[ana])
            assert await news(wes, 1) == [("tile.refused", ana, "tiles_paused")]

            # Given back to the load (none): the tiles in view play again, at the top rendition.
            await pin(world, admin, None)
            assert await news(vic, 6) == [
                ("tile.granted", ana, ""),
                ("tile.granted", bea, ""),
                ("tile.granted", cal, ""),
                ("tile.profile", ana, "thumb_low"),
                ("tile.profile", bea, "thumb_low"),
                ("tile.profile", cal, "thumb_low"),
            ]
            assert await news(wes, 2) == [
                ("tile.granted", ana, ""),
                ("tile.profile", ana, "thumb_low"),
            ]
        [viewer] = [v for v in world.services.tiles.statistics().viewers if v.user_id == admin]
        assert (viewer.profile, viewer.connected) == ("thumb_low", 3)


@pytest.mark.req("INV-7")
async def test_a_viewer_that_missed_the_ladders_change_catches_up_at_the_next_sample(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = await world.users("vic", "ana")
    ana = people["ana"].id
    await cameras_on(world, people["ana"])
    tiles = world.services.tiles
    async with world.tab(people["vic"]) as vic:
        await open_tiles(vic, await start_session(world, people["vic"]))
        await vic.send("tile.visible", publisher_ids=[ana])
        assert await news(vic, 1) == [("tile.granted", ana, "")]
        told = tiles._tell
        # The change's own message is lost, as a full mailbox would lose it.
        monkeypatch.setattr(
            tiles,
            "_tell",
            lambda key, message: None if isinstance(message, Ease) else told(key, message),
        )
        steps = world.config.limits.kill_switches.ladder.steps
        await pin(world, people["vic"].id, steps.index("degraded_thumbs") + 1)
        # Within a sample or two (tile_quality.sample_s) the viewer is where the ladder says.
        assert await news(vic, 1) == [("tile.profile", ana, "thumb_degraded")]
