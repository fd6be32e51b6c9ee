"""Keyed wake-ups on trio's clock, in one task for every key: an actor asks for its next wake-up
(`set`), and `on_due(key)` is called once when it comes (e.g. to tell the actor `Tick`).

One heap, not a task per key: replacing a wake-up pushes a new entry instead of searching the
heap; entries no longer matching the latest request are dropped as they surface.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from collections.abc import Hashable
from typing import TYPE_CHECKING
from typing import Any
from typing import Self

import trio

from .errors import MailboxFull
from .errors import ShuttingDown

if TYPE_CHECKING:
    from .registry import Registry


class Wakes:
    """`on_due(key)` returns the time to try again if the key's owner could not be told (a full
    mailbox), else None."""

    def __init__(self, on_due: Callable[[Hashable], float | None]) -> None:
        self._on_due = on_due
        self._wakes: dict[Hashable, float] = {}
        self._heap: list[tuple[float, int, Hashable]] = []
        self._pushed = 0  # a tie-break, so keys never need to be comparable
        self._changed = trio.Event()

    @classmethod
    def telling(cls, registry: Registry, kind: str, message: Any, retry_s: float) -> Self:
        """Wake-ups that tell each key's actor of `kind` `message` (its `Tick`): one whose mailbox
        is full is woken again `retry_s` later; none is once the registry is shutting down."""

        def on_due(key: Hashable) -> float | None:
            try:
                registry.tell(kind, key, message)
            except MailboxFull:
                return trio.current_time() + retry_s
            except ShuttingDown:
                pass
            return None

        return cls(on_due)

    def set(self, key: Hashable, at: float | None) -> None:
        """Wake `key` at `at` (trio time), replacing any earlier request; None: never."""
        if at is None:
            self._wakes.pop(key, None)
            return
        self._wakes[key] = at
        self._pushed += 1
        heapq.heappush(self._heap, (at, self._pushed, key))
        self._changed.set()

    def keys(self) -> list[Hashable]:
        """The keys waiting for a wake-up."""
        return list(self._wakes)

    async def run(self) -> None:
        """Wake keys as their times come, forever (cancel to stop)."""
        while True:
            now = trio.current_time()
            while self._heap and self._heap[0][0] <= now:
                at, _, key = heapq.heappop(self._heap)
                if self._wakes.get(key) != at:
                    continue
                del self._wakes[key]
                retry_at = self._on_due(key)
                if retry_at is not None:
                    self.set(key, retry_at)
            self._changed = trio.Event()
            with trio.move_on_at(self._heap[0][0] if self._heap else math.inf):
                await self._changed.wait()
