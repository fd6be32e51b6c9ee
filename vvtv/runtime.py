"""What one running process holds, passed explicitly to every adapter (never a global)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path

from vvtv.actors import Registry
from vvtv.clock import WallClock, utc_now
from vvtv.config import ConfigBundle
from vvtv.observability.metrics import Metrics
from vvtv.store import DATABASE_FILE, Database, open_database


@dataclass
class Runtime:
    config: ConfigBundle
    actors: Registry
    database: Database
    data_dir: Path
    clock: WallClock = utc_now
    metrics: Metrics = field(default_factory=Metrics)
    draining: bool = False


def open_store(config: ConfigBundle, data_dir: Path) -> AbstractAsyncContextManager[Database]:
    """The one database of a data folder (`vvtv serve`'s, or a standalone channel's)."""
    store = config.limits.runtime.store
    return open_database(
        data_dir / DATABASE_FILE, readers=store.readers, busy_timeout_ms=store.busy_timeout_ms
    )
