"""The registry's one timer task: ask timeouts and idle passivation, no cancel scope per message.

Both timers have one duration each (from `ActorSettings`), so entries arrive in deadline order and a
FIFO per timer suffices: the task sleeps until the earliest deadline, on trio's clock.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

import trio

from .reply import Reply


class Watched(Protocol):
    """What the timers need of a cell (the cell implements it; this module never imports it)."""

    def ask_timed_out(self, reply: Reply) -> None: ...

    def passivate(self) -> None: ...


class Deadlines:
    """Fails asks older than `ask_timeout_s`; passivates actors parked idle `idle_passivate_s`."""

    __slots__ = ("_ask_timeout_s", "_asks", "_idle_s", "idle_since")

    def __init__(self, *, ask_timeout_s: float, idle_passivate_s: float) -> None:
        self._ask_timeout_s = ask_timeout_s
        self._idle_s = idle_passivate_s
        self._asks: deque[tuple[float, Reply, Watched]] = deque()
        # Cells parked on an empty mailbox, oldest first (a dict keeps insertion order); a cell
        # removes itself when it wakes and re-inserts itself when it parks again.
        self.idle_since: dict[Watched, float] = {}

    def watch_ask(self, reply: Reply, cell: Watched) -> None:
        self._asks.append((trio.current_time() + self._ask_timeout_s, reply, cell))

    def forget_answered_asks(self) -> None:
        """Drop answered asks at the front, so in-order replies keep the queue short."""
        asks = self._asks
        while asks and asks[0][1].done:
            asks.popleft()

    async def run(self) -> None:
        """Fire timers until cancelled (the registry cancels it once every actor has stopped)."""
        while True:
            now = trio.current_time()
            self._expire_asks(now)
            self._passivate_idle(now)
            wake_at = now + min(self._ask_timeout_s, self._idle_s)
            if self._asks:
                wake_at = min(wake_at, self._asks[0][0])
            if self.idle_since:
                wake_at = min(wake_at, next(iter(self.idle_since.values())) + self._idle_s)
            # An entry added while asleep has a deadline after `now + duration`: never missed.
            await trio.sleep_until(wake_at)

    def _expire_asks(self, now: float) -> None:
        asks = self._asks
        while asks:
            deadline, reply, cell = asks[0]
            if not reply.done:
                if deadline > now:
                    return
                cell.ask_timed_out(reply)
            asks.popleft()

    def _passivate_idle(self, now: float) -> None:
        idle_s = self._idle_s
        expired: list[Watched] = []
        for cell, since in self.idle_since.items():  # one pass: oldest first
            # The same expression as the wake-up time in `run`, so float rounding cannot make the
            # timer wake for a deadline it then judges not yet reached.
            if since + idle_s > now:
                break
            expired.append(cell)
        for cell in expired:
            del self.idle_since[cell]
            cell.passivate()
