"""The one wall clock: timestamps come from an injected `WallClock`, timers from trio's clock.

`utc_now` is the real one; `ManualClock` is the one tests and replays move. The composition root
(`open_runtime`) hands the same clock to every context, the SFU's TURN issuer and the channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import trio

WallClock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def trio_origin(clock: WallClock) -> datetime:
    """The wall time at trio time zero: an actor's times are trio's (its timers), its wire's are
    wall times. Read once per answer, so an event and the reply beside it name the same instants."""
    return clock() - timedelta(seconds=trio.current_time())


@dataclass
class ManualClock:
    """A wall clock that moves only when told to (`advance`) or, with `follow_trio`, also as
    trio's clock does, so a MockClock's autojump moves wall time with the timers."""

    at: datetime = field(default_factory=lambda: datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    follow_trio: bool = False

    def __call__(self) -> datetime:
        if self.follow_trio:
            return self.at + timedelta(seconds=trio.current_time())
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
