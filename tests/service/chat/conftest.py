"""The whole product in-process for chat: presence's `world` (users, tabs, a wall clock that
follows trio's MockClock), plus chat's own steps, and `open_world` for a config of a test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from tests.service.presence.conftest import world
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle

__all__ = ["chat_events", "open_thread", "open_world", "post", "world"]


@asynccontextmanager
async def open_world(config: ConfigBundle, data_dir: Path) -> AsyncIterator[World]:
    """The product on `config`, its data in `data_dir` (a second world on the same folder is the
    same product restarted, e.g. under another tier)."""
    wall = ManualClock(follow_trio=True)
    async with open_runtime(config, data_dir, clock=wall) as (runtime, services):
        yield World(create_app(runtime, services).test_client(), services, config, wall)


async def open_thread(world: World, user: User, **body: Any) -> tuple[int, dict[str, Any]]:
    response = await world.client.post("/chat/thread", json=body, headers=user.headers)
    answer: dict[str, Any] = await response.get_json()
    return response.status_code, answer


async def post(world: World, user: User, thread_id: str, body: str) -> tuple[int, dict[str, Any]]:
    response = await world.client.post(
        f"/chat/{thread_id}/messages", json={"body": body}, headers=user.headers
    )
    answer: dict[str, Any] = await response.get_json()
    return response.status_code, answer


async def chat_events(tab: Tab) -> list[dict[str, Any]]:
    """The chat events queued for `tab` until now."""
    return [e for e in await tab.settle() if e["type"].startswith("chat.")]
