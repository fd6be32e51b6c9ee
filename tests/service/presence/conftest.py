"""The whole product in-process for presence: its routes and /ws, with a wall clock that follows
trio's (Mock)Clock and can be moved days ahead, so accounts can be old (not MOD-6's new ones).

`world.users(...)` signs people up (`old=` ones were made days before); a `Tab` is one socket,
signed in, with `settle()` as a barrier: everything the server queued for it before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from msgspec.structs import replace
from quart.typing import TestClientProtocol as HttpClient
from quart.typing import TestWebsocketConnectionProtocol as WebSocket

from tests.accounts import PASSWORD
from tests.accounts import TERMS
from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.assembly.services import Services
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle


@dataclass
class User:
    handle: str
    id: str
    tokens: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.tokens)


class Tab:
    """One signed-in socket."""

    def __init__(self, socket: WebSocket) -> None:
        self.socket = socket

    async def send(self, type_: str, **fields: Any) -> None:
        await self.socket.send_json({"type": type_, **fields})

    async def next(self) -> dict[str, Any]:
        event: dict[str, Any] = await self.socket.receive_json()
        return event

    async def settle(self) -> list[dict[str, Any]]:
        """What was queued for this socket until now: a session `heartbeat` is answered in
        order, after everything pushed before it."""
        await self.send("heartbeat")
        events = []
        while (event := await self.next())["type"] != "heartbeat.ack":
            events.append(event)
        return events

    async def subscribe(self, **query: Any) -> dict[str, Any]:
        query.setdefault("ecosystem", "party")
        await self.send("presence.subscribe", query=query)
        snapshot = await self.next()
        assert snapshot["type"] == "presence.snapshot", snapshot
        return snapshot

    async def set(self, **fields: Any) -> None:
        fields.setdefault("presence_mode", "party")
        await self.send("presence.set", fields=fields)
        assert await self.settle() == []


@dataclass
class World:
    client: HttpClient
    services: Services
    config: ConfigBundle
    wall: ManualClock

    async def users(self, *handles: str, old: tuple[str, ...] = ()) -> dict[str, User]:
        """Sign up `handles`; the `old` ones got their accounts before MOD-6's quarantine days."""
        for handle in old:
            await self.services.identity.create_account(handle, PASSWORD, "user", None, TERMS)
        if old:
            days = self.config.limits.anti_abuse.quarantine.account_age_days
            self.wall.advance((days + 1) * 86400)
        made = {}
        for handle in old:
            response = await self.client.post(
                "/auth/login", json={"handle": handle, "password": PASSWORD}
            )
            assert response.status_code == 200, await response.get_data()
            made[handle] = await response.get_json()
        for handle in handles:
            made[handle] = await signup(self.client, handle)
        return {h: User(h, tokens["user"]["id"], tokens) for h, tokens in made.items()}

    async def moderator(self) -> User:
        tokens = await staff(self.services, self.client, "moira", "mod")
        return User("moira", tokens["user"]["id"], tokens)

    async def set(self, user: User, **fields: Any) -> dict[str, Any]:
        fields.setdefault("presence_mode", "party")
        response = await self.client.post("/presence/set", json=fields, headers=user.headers)
        body: dict[str, Any] = await response.get_json()
        assert response.status_code == 200, body
        return body

    async def get(self, user: User, path: str, **params: Any) -> tuple[int, dict[str, Any]]:
        response = await self.client.get(path, query_string=params, headers=user.headers)
        body: dict[str, Any] = await response.get_json()
        return response.status_code, body

    async def listed(self, user: User, path: str = "/presence/party", **params: Any) -> list[str]:
        """The handles `user` sees on the first page."""
        status, page = await self.get(user, path, **params)
        assert status == 200, page
        return [member["handle"] for member in page["members"]]

    @staticmethod
    async def advance(clock: trio.testing.MockClock, seconds: float) -> None:
        """Move trio's clock (the wall clock follows it) and let every timer that fell due run."""
        clock.jump(seconds)
        await trio.testing.wait_all_tasks_blocked()

    @asynccontextmanager
    async def tab(self, user: User) -> AsyncIterator[Tab]:
        async with self.client.websocket("/ws") as socket:
            await socket.send_json({"type": "auth", "access_token": user.tokens["access_token"]})
            hello = await socket.receive_json()
            assert hello["type"] == "auth.ok", hello
            yield Tab(socket)


@asynccontextmanager
async def open_world(config: ConfigBundle, data_dir: Path) -> AsyncIterator[World]:
    wall = ManualClock(follow_trio=True)
    async with open_runtime(config, data_dir, clock=wall) as (runtime, services):
        app = create_app(runtime, services)
        yield World(app.test_client(), services, config, wall)


@pytest.fixture
async def world(cheap_config: ConfigBundle, tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(cheap_config, tmp_path / "var") as opened:
        yield opened


@pytest.fixture
async def world_listing_live_public(
    cheap_config: ConfigBundle, tmp_path: Path
) -> AsyncIterator[World]:
    """The product with live_public's members listed as Party's are (the shipped manifest says
    `presence_visible: false` there): to see ecosystems kept apart, each must show someone."""
    modes = cheap_config.modes
    live = modes.modes["live_public"]
    listed = replace(live, policies=replace(live.policies, presence_visible=True))
    config = replace(
        cheap_config, modes=replace(modes, modes={**modes.modes, "live_public": listed})
    )
    async with open_world(config, tmp_path / "var") as opened:
        yield opened
