"""What one running process holds, passed explicitly to every adapter (never a global)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vvtv.actors import Registry
from vvtv.config import ConfigBundle
from vvtv.observability.metrics import Metrics


@dataclass
class Runtime:
    config: ConfigBundle
    actors: Registry
    data_dir: Path
    metrics: Metrics = field(default_factory=Metrics)
    draining: bool = False
