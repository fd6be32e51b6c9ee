"""The whole product in-process for live tiles: its /ws, sessions and presence over a real LocalSFU
on loopback (on trio's MockClock moved by hand, or in real time). People, tabs and clock moves are
presence's (`World`, `Tab`); `tiles_config` tunes what a test needs (a short THB-4 recovery, a low
kill switch); `live` publishes members' cameras and opens viewers' pools with aiortc peers, and
keeps every session it starts alive as its client would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import pytest
import trio

from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from tests.tile_clients import TileViewer
from tests.tile_clients import TileViewers
from tests.tile_clients import tile_viewers
from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import HttpSignalling
from tests.webrtc_clients import Look
from tests.webrtc_clients import client_peers
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle
from vvtv.media.local_sfu.ice import allow_loopback_candidates

SESSION = {"audience_type": "group", "stream_transport": "webrtc", "intent_label": "party_tiles"}


@pytest.fixture
def tiles_config(cheap_config: ConfigBundle) -> ConfigBundle:
    return cheap_config


@pytest.fixture
async def world(tiles_config: ConfigBundle, tmp_path: Path) -> AsyncIterator[World]:
    # The SFU and the clients share this host; on a box with only loopback they could not meet.
    allow_loopback_candidates()
    wall = ManualClock(follow_trio=True)
    async with open_runtime(tiles_config, tmp_path / "var", clock=wall) as (runtime, services):
        yield World(create_app(runtime, services).test_client(), services, tiles_config, wall)


async def start_session(world: World, user: User, mode: str = "party") -> str:
    """`user`'s session in `mode` (its profile is the mode's: thumb_low in Party)."""
    response = await world.client.post(
        "/sessions", json={"mode": mode, **SESSION}, headers=user.headers
    )
    body: dict[str, Any] = await response.get_json()
    assert response.status_code == 201, body
    return str(body["id"])


async def open_tiles(tab: Tab, session_id: str, device: str = "desktop") -> dict[str, Any]:
    """`tile.opened`, or the `error` refusing it (session.state events on the way are skipped)."""
    await tab.send("tile.open", session_id=session_id, device=device)
    return await answer(tab)


async def answer(tab: Tab) -> dict[str, Any]:
    """The next event that is not a session's state (pushed to every tab of a user)."""
    while (event := await tab.next())["type"] == "session.state":
        pass
    return event


async def cameras_on(world: World, *users: User) -> None:
    for user in users:
        await world.set(user, is_camera_on=True)


@dataclass
class Live:
    """Members publishing and viewers watching, through the product's own routes."""

    world: World
    peers: ClientPeers
    viewers: TileViewers
    alive: list[tuple[User, str]] = field(default_factory=list)

    async def session(self, user: User) -> str:
        """A Party session of `user`'s, heartbeated every `sessions.heartbeat_interval_s`."""
        session_id = await start_session(self.world, user)
        self.alive.append((user, session_id))
        return session_id

    async def publish(self, user: User, look: Look) -> None:
        """`user` publishes their camera once, in their Party session (THB-1)."""
        session_id = await self.session(user)
        signalling = HttpSignalling(self.world.client, user.headers)
        await self.peers.publish(signalling, session_id, user.id, look=look)

    async def viewer(
        self, tab: Tab, user: User, device: str = "desktop", *, lossy: bool = False
    ) -> TileViewer:
        """`user`'s tile pool, opened on `tab` and connected by an aiortc client."""
        session_id = await self.session(user)
        opened = await open_tiles(tab, session_id, device)
        assert opened["type"] == "tile.opened", opened
        signalling = HttpSignalling(self.world.client, user.headers)
        return await self.viewers.open(
            signalling, session_id, user.id, opened["slots"], lossy=lossy
        )

    async def heartbeats(self) -> None:
        while True:
            await trio.sleep(self.world.config.limits.sessions.heartbeat_interval_s)
            for user, session_id in list(self.alive):
                await self.world.client.post(
                    f"/sessions/{session_id}/heartbeat", json={}, headers=user.headers
                )


@pytest.fixture
async def live(world: World, nursery: trio.Nursery) -> AsyncIterator[Live]:
    async with client_peers() as peers, tile_viewers() as viewers:
        opened = Live(world, peers, viewers)
        nursery.start_soon(opened.heartbeats)
        yield opened
