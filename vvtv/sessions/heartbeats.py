"""Heartbeat deadlines of every active session, on trio's clock, in one task (SES-8).

Deadlines live here rather than in the session actors, so an idle actor can passivate while its
session keeps running; when a deadline passes, `on_expire(session_id)` is called once.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

import trio


class HeartbeatWatchdog:
    def __init__(self, timeout_s: float, on_expire: Callable[[str], None]) -> None:
        self.timeout_s = timeout_s
        self._on_expire = on_expire
        self._deadlines: dict[str, float] = {}
        # Re-arming pushes a new entry rather than searching the heap; stale entries (whose
        # deadline no longer matches `_deadlines`) are dropped as they surface.
        self._heap: list[tuple[float, str]] = []
        self._changed = trio.Event()

    def arm(self, session_id: str) -> None:
        deadline = trio.current_time() + self.timeout_s
        self._deadlines[session_id] = deadline
        heapq.heappush(self._heap, (deadline, session_id))
        self._changed.set()

    def disarm(self, session_id: str) -> None:
        self._deadlines.pop(session_id, None)

    def armed(self) -> int:
        return len(self._deadlines)

    async def run(self) -> None:
        """Fire deadlines as they pass, forever (cancel to stop)."""
        while True:
            now = trio.current_time()
            while self._heap and self._heap[0][0] <= now:
                deadline, session_id = heapq.heappop(self._heap)
                if self._deadlines.get(session_id) == deadline:
                    del self._deadlines[session_id]
                    self._on_expire(session_id)
            self._changed = trio.Event()
            with trio.move_on_at(self._heap[0][0] if self._heap else math.inf):
                await self._changed.wait()
