"""The one wall clock: timestamps come from an injected `WallClock`, timers from trio's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

WallClock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
