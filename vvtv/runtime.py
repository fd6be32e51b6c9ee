"""What one running process holds, passed explicitly to every adapter (never a global)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vvtv.actors import Registry
from vvtv.clock import WallClock, utc_now
from vvtv.config import ConfigBundle
from vvtv.observability.metrics import Metrics
from vvtv.store import Database


@dataclass
class Runtime:
    config: ConfigBundle
    actors: Registry
    database: Database
    data_dir: Path
    clock: WallClock = utc_now
    metrics: Metrics = field(default_factory=Metrics)
    draining: bool = False
