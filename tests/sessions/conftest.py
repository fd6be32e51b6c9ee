"""A session orchestrator over a live actor registry, the fake media provider and an in-memory
store, with a wall clock that follows trio's (Mock)Clock so durations and costs are exact."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import trio
from prometheus_client import CollectorRegistry

from vvtv.actors import Registry, open_registry
from vvtv.assembly import actor_settings
from vvtv.config import ConfigBundle
from vvtv.domain.accounts import Principal
from vvtv.media.fake import FakeMediaProvider
from vvtv.sessions.orchestrator import Orchestrator, open_orchestrator
from vvtv.sessions.store import MemorySessionStore

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ANA = Principal(user_id="ana", role="user", auth_session_id="a1")
BOB = Principal(user_id="bob", role="user", auth_session_id="b1")
ADMIN = Principal(user_id="root", role="admin", auth_session_id="r1")


def trio_wall_clock() -> datetime:
    return T0 + timedelta(seconds=trio.current_time())


@dataclass
class World:
    sessions: Orchestrator
    provider: FakeMediaProvider
    store: MemorySessionStore
    actors: Registry
    metrics: CollectorRegistry


@pytest.fixture
async def world(config_bundle: ConfigBundle) -> AsyncIterator[World]:
    provider = FakeMediaProvider(config_bundle.media.profiles)
    store = MemorySessionStore()
    metrics = CollectorRegistry()
    async with (
        open_registry(actor_settings(config_bundle)) as actors,
        open_orchestrator(
            actors, config_bundle, provider, store, trio_wall_clock, metrics
        ) as sessions,
    ):
        yield World(sessions, provider, store, actors, metrics)
