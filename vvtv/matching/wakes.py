"""When the matching actor wants its next `Tick` (a cooldown's end, a wait that relaxes, a pair's
no-repeat window passing), on trio's clock: one task, sleeping until the latest time asked for."""

from __future__ import annotations

import math
from collections.abc import Awaitable
from collections.abc import Callable

import trio


class Wake:
    def __init__(self, on_due: Callable[[], Awaitable[None]]) -> None:
        self._on_due = on_due
        self._at: float | None = None
        self._changed = trio.Event()

    def set(self, at: float | None) -> None:
        """Wake at `at` (trio time), instead of any earlier request; None: nothing to wait for."""
        if at != self._at:
            self._at = at
            self._changed.set()

    async def run(self) -> None:
        """Wake the actor whenever its time comes, until cancelled."""
        while True:
            self._changed = trio.Event()
            at = self._at
            with trio.move_on_at(math.inf if at is None else at) as sleep:
                await self._changed.wait()
            if sleep.cancelled_caught and self._at == at:
                self._at = None  # the Tick's own answer asks for the next one
                await self._on_due()
