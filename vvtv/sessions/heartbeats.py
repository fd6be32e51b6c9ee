"""Heartbeat deadlines of every active session's participants, on trio's clock, in one task
(SES-8).

Each participant of a session is watched on their own: a call is over when either side has gone,
though the other keeps beating. Deadlines live here rather than in the session actors, so an idle
actor can passivate while its session keeps running; when a deadline passes,
`on_expire(session_id, participant_id)` is called once.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

import trio


class HeartbeatWatchdog:
    def __init__(self, timeout_s: float, on_expire: Callable[[str, str], None]) -> None:
        self.timeout_s = timeout_s
        self._on_expire = on_expire
        self._deadlines: dict[str, dict[str, float]] = {}  # session -> participant -> deadline
        # Re-arming pushes a new entry rather than searching the heap; stale entries (whose
        # deadline no longer matches `_deadlines`) are dropped as they surface.
        self._heap: list[tuple[float, str, str]] = []
        self._changed = trio.Event()

    def arm(self, session_id: str, participant_id: str) -> None:
        """`participant_id`'s deadline is `timeout_s` from now."""
        self._set(session_id, participant_id, trio.current_time() + self.timeout_s)

    def hasten(self, session_id: str, participant_id: str, within_s: float) -> None:
        """Bring an armed deadline forward to `within_s` from now (never later than it was)."""
        deadline = self._deadlines.get(session_id, {}).get(participant_id)
        soon = trio.current_time() + within_s
        if deadline is not None and soon < deadline:
            self._set(session_id, participant_id, soon)

    def disarm(self, session_id: str) -> None:
        """Forget every participant's deadline of `session_id`."""
        self._deadlines.pop(session_id, None)

    def armed(self) -> int:
        """How many sessions are watched."""
        return len(self._deadlines)

    def watches(self, session_id: str) -> bool:
        return session_id in self._deadlines

    async def run(self) -> None:
        """Fire deadlines as they pass, forever (cancel to stop)."""
        while True:
            now = trio.current_time()
            while self._heap and self._heap[0][0] <= now:
                deadline, session_id, participant_id = heapq.heappop(self._heap)
                participants = self._deadlines.get(session_id, {})
                if participants.get(participant_id) == deadline:
                    del participants[participant_id]
                    if not participants:
                        del self._deadlines[session_id]
                    self._on_expire(session_id, participant_id)
            self._changed = trio.Event()
            with trio.move_on_at(self._heap[0][0] if self._heap else math.inf):
                await self._changed.wait()

    def _set(self, session_id: str, participant_id: str, deadline: float) -> None:
        self._deadlines.setdefault(session_id, {})[participant_id] = deadline
        heapq.heappush(self._heap, (deadline, session_id, participant_id))
        self._changed.set()
