"""A session orchestrator over a live actor registry, the fake media provider and an in-memory
store, with a wall clock that follows trio's (Mock)Clock so durations and costs are exact; and the
call modes the shipped manifests gate behind consent or a match (INV-2), as `gated_mode`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from vvtv.actors import Registry
from vvtv.actors import open_registry
from vvtv.assembly import actor_settings
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle
from vvtv.config import build_runtime_config
from vvtv.contracts.events import ServerEvent
from vvtv.domain.accounts import Principal
from vvtv.domain.agreements import Agreement
from vvtv.domain.agreements import Gate
from vvtv.domain.agreements import gate_of
from vvtv.media.fake import FakeMediaProvider
from vvtv.sessions.actor import SessionPorts
from vvtv.sessions.metrics import SessionMetrics
from vvtv.sessions.orchestrator import Orchestrator
from vvtv.sessions.orchestrator import open_orchestrator
from vvtv.sessions.store import MemorySessionStore

ANA = Principal(user_id="ana", role="user", auth_session_id="a1")
BOB = Principal(user_id="bob", role="user", auth_session_id="b1")
ADMIN = Principal(user_id="root", role="admin", auth_session_id="r1")


trio_wall_clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC), follow_trio=True)


def untold(user_id: str, event: ServerEvent) -> None:
    """No sockets here: tests read a session's state from the orchestrator, not its events."""


def first_policy() -> int:
    """The Lab's OwnerCard version a session snapshots: the first, with no Lab running."""
    return 1


def gates(config: ConfigBundle) -> dict[str, Gate]:
    """Every mode whose manifest puts a gate before its sessions, read from its policies."""
    found = {
        name: gate_of(mode.policies.requires_consent, mode.policies.requires_match)
        for name, mode in config.modes.modes.items()
    }
    return {name: gate for name, gate in found.items() if gate is not None}


def agreed(gate: Gate, *participants: str) -> Agreement:
    """What the consent or matching service hands the orchestrator once the gate opens."""
    return Agreement(gate=gate, ref=f"{gate}-1", participants=participants)


@cache
def _shipped_gates() -> tuple[tuple[str, Gate], ...]:
    return tuple(
        gates(build_runtime_config(Path(__file__).resolve().parents[3] / "config")).items()
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`gated_mode`: (mode, gate) for each gated mode of the shipped config, not a list of names
    written here, so a new call mode is covered the day its manifest says so."""
    if "gated_mode" in metafunc.fixturenames:
        shipped = _shipped_gates()
        metafunc.parametrize("gated_mode", shipped, ids=[name for name, _ in shipped])


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
            actors,
            config_bundle,
            SessionPorts(
                provider=provider,
                store=store,
                clock=trio_wall_clock,
                metrics=SessionMetrics(metrics),
                notify=untold,
                policy_version=first_policy,
            ),
        ) as sessions,
    ):
        yield World(sessions, provider, store, actors, metrics)
