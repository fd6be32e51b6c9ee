"""What one running process holds, passed explicitly to every adapter (never a global)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import msgspec

from vvtv.actors import ActorSettings
from vvtv.actors import Registry
from vvtv.clock import WallClock
from vvtv.clock import utc_now
from vvtv.config import ConfigBundle
from vvtv.observability.events import EventCounts
from vvtv.observability.health import HealthBoard
from vvtv.observability.metrics import Metrics
from vvtv.observability.tracing import Tracing
from vvtv.store import DATABASE_FILE
from vvtv.store import Database
from vvtv.store import open_database


@dataclass
class Runtime:
    config: ConfigBundle
    actors: Registry
    database: Database
    data_dir: Path
    clock: WallClock = utc_now
    metrics: Metrics = field(default_factory=Metrics)
    draining: bool = False
    health: HealthBoard | None = None  # each service's health (TEL-5), once assembly watches them
    tracing: Tracing | None = None  # a trace id per request and message (TEL-7)
    events: EventCounts = field(default_factory=EventCounts)  # the funnel's steps (TEL-1)


def actor_settings(config: ConfigBundle) -> ActorSettings:
    """The actor kernel's settings from config (the kernel reads no config itself)."""
    return msgspec.convert(config.limits.runtime.actors, ActorSettings, from_attributes=True)


def open_store(config: ConfigBundle, data_dir: Path) -> AbstractAsyncContextManager[Database]:
    """The one database of a data folder (`vvtv serve`'s, or a standalone channel's)."""
    store = config.limits.runtime.store
    return open_database(
        data_dir / DATABASE_FILE, readers=store.readers, busy_timeout_ms=store.busy_timeout_ms
    )
