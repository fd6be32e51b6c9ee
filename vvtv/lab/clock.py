"""The one wall clock of the agent: timestamps (program date times, audit) come from here, while
timers use trio's clock, so every wait is testable on MockClock."""

from __future__ import annotations

import time
from typing import Protocol

import trio


class WallClock(Protocol):
    def now(self) -> float:
        """Seconds since the Unix epoch."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class TrioWallClock:
    """Wall time that advances with trio's clock (MockClock in tests): `epoch` at trio time 0."""

    def __init__(self, epoch: float = 1_700_000_000.0) -> None:
        self.epoch = epoch

    def now(self) -> float:
        return self.epoch + trio.current_time()
