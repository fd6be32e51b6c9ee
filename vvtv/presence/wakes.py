"""When each presence room wants its next `Tick`, on trio's clock, in one task for every room.

A room asks for one wake-up at a time (`set`); an empty room asks for none, so it gets no
messages and the actor kernel passivates it (PRS-4). Replacing a wake-up pushes a new heap entry
instead of searching the heap; entries no longer matching `_wakes` are dropped as they surface.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Hashable

import trio


class RoomWakes:
    """`on_due(key)` is called once when a room's wake-up time comes; it returns the time to try
    again if the room could not be told (a full mailbox), else None."""

    def __init__(self, on_due: Callable[[Hashable], float | None]) -> None:
        self._on_due = on_due
        self._wakes: dict[Hashable, float] = {}
        self._heap: list[tuple[float, int, Hashable]] = []
        self._pushed = 0  # a tie-break, so keys never need to be comparable
        self._changed = trio.Event()

    def set(self, key: Hashable, at: float | None) -> None:
        if at is None:
            self._wakes.pop(key, None)
            return
        self._wakes[key] = at
        self._pushed += 1
        heapq.heappush(self._heap, (at, self._pushed, key))
        self._changed.set()

    def rooms(self) -> list[Hashable]:
        """The rooms waiting for a wake-up: every room that holds someone."""
        return list(self._wakes)

    async def run(self) -> None:
        """Wake rooms as their times come, forever (cancel to stop)."""
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
