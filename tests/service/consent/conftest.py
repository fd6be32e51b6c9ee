"""The whole product in-process for consent: its routes, /ws and the orchestrator, on trio's
MockClock moved by hand (passwords hash in real threads, so no autojump). The people, tabs and
clock moves are presence's (`World`, `Tab`); `second_invite` sets config's CNS-5 policy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from msgspec.structs import replace

from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle


@pytest.fixture
def second_invite() -> str:
    return "refuse"


@pytest.fixture
async def world(
    cheap_config: ConfigBundle, tmp_path: Path, second_invite: str
) -> AsyncIterator[World]:
    limits = cheap_config.limits
    consent = replace(limits.consent, second_invite=second_invite)
    config = replace(cheap_config, limits=replace(limits, consent=consent))
    wall = ManualClock(follow_trio=True)
    async with open_runtime(config, tmp_path / "var", clock=wall) as (runtime, services):
        yield World(create_app(runtime, services).test_client(), services, config, wall)


async def post(world: World, user: User, path: str, **body: Any) -> tuple[int, dict[str, Any]]:
    response = await world.client.post(path, json=body, headers=user.headers)
    answer: dict[str, Any] = await response.get_json()
    return response.status_code, answer


async def invite(world: World, inviter: User, invitee: User) -> tuple[int, dict[str, Any]]:
    return await post(world, inviter, "/consent/invites", invitee_id=invitee.id)


async def beat(tab: Tab, session_id: str) -> list[dict[str, Any]]:
    """Heartbeat the session on this socket: what came before the answer, and the answer."""
    await tab.send("heartbeat", session_id=session_id)
    events = []
    while (event := await tab.next())["type"] not in ("heartbeat.ack", "error"):
        events.append(event)
    return [*events, event]


async def told_end(tab: Tab) -> list[tuple[str, str | None, str | None]]:
    """The session.state events this tab got until it was told the session ended (the actor
    writes to SQLite in a thread, which MockClock does not wait for: poll a bounded while)."""
    states: list[tuple[str, str | None, str | None]] = []
    for _ in range(200):
        for event in await tab.settle():
            if event["type"] == "session.state":
                states.append((event["state"], event["reason"], event["ended_by"]))
        if states and states[-1][0] == "ended":
            return states
        await trio.testing.wait_all_tasks_blocked(cushion=0.01)
    raise AssertionError(f"never told the session ended: {states}")
