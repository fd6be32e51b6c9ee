"""A test actor kind that records what happens to it, and a registry opener for kernel tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from collections.abc import Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import trio

from vvtv.actors import ActorSettings
from vvtv.actors import BaseActor
from vvtv.actors import Registry
from vvtv.actors import open_registry
from vvtv.errors import Conflict

KIND = "recorder"


@dataclass
class Journal:
    """What every Recorder instance did, shared across instances (it outlives restarts)."""

    starts: Counter[Hashable] = field(default_factory=Counter)
    stops: Counter[Hashable] = field(default_factory=Counter)
    events: list[tuple[str, Hashable, float]] = field(default_factory=list)
    slow_stop_s: float = 0.0
    crash_on_start: set[Hashable] = field(default_factory=set)


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Wait:
    event: trio.Event


class Recorder(BaseActor):
    """Remembers the plain messages it saw (per instance); special ones crash, refuse or block."""

    kind = KIND

    def __init__(self, key: Hashable, journal: Journal) -> None:
        self.key = key
        self.journal = journal
        self.seen: list[Any] = []

    async def on_start(self) -> None:
        self.journal.starts[self.key] += 1
        self.journal.events.append(("start", self.key, trio.current_time()))
        if self.key in self.journal.crash_on_start:
            raise RuntimeError("cannot start")

    async def handle(self, message: Any) -> Any:
        if message == "seen":
            return list(self.seen)
        if message == "crash":
            raise RuntimeError(f"poisoned message for {self.key!r}")
        if message == "refuse":
            raise Conflict("refused on purpose")
        if isinstance(message, Sleep):
            await trio.sleep(message.seconds)
            return "slept"
        if isinstance(message, Wait):
            await message.event.wait()
            return "released"
        self.seen.append(message)
        return message

    async def on_stop(self) -> None:
        self.journal.events.append(("stop-begin", self.key, trio.current_time()))
        if self.journal.slow_stop_s:
            await trio.sleep(self.journal.slow_stop_s)
        self.journal.stops[self.key] += 1
        self.journal.events.append(("stop", self.key, trio.current_time()))


def settings(**overrides: Any) -> ActorSettings:
    values: dict[str, Any] = {
        "mailbox_size": 16,
        "ask_timeout_s": 1.0,
        "idle_passivate_s": 1000.0,
        "max_restarts": 3,
        "restart_window_s": 10.0,
    }
    values.update(overrides)
    return ActorSettings(**values)


@asynccontextmanager
async def recorder_registry(journal: Journal, **overrides: Any) -> AsyncIterator[Registry]:
    async with open_registry(settings(**overrides)) as registry:
        registry.register(KIND, lambda key: Recorder(key, journal))
        yield registry
