"""The whole product in-process for Random: the matching routes, /ws and the orchestrator with
the real SFU, on trio's MockClock moved by hand (passwords hash in real threads, so no autojump).
The people, tabs and clock moves are presence's (`World`, `Tab`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle


@pytest.fixture
async def world(cheap_config: ConfigBundle, tmp_path: Path) -> AsyncIterator[World]:
    wall = ManualClock(follow_trio=True)
    async with open_runtime(cheap_config, tmp_path / "var", clock=wall) as (runtime, services):
        yield World(create_app(runtime, services).test_client(), services, cheap_config, wall)


async def post(world: World, user: User, path: str, **body: Any) -> tuple[int, dict[str, Any]]:
    response = await world.client.post(path, json=body, headers=user.headers)
    answer: dict[str, Any] = await response.get_json()
    return response.status_code, answer


def matching(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The matching events among what a tab got (the orchestrator tells of sessions too)."""
    return [event for event in events if event["type"].startswith("match.")]


def types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in matching(events)]
