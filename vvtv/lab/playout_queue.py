"""The broadcast queue (LAB-4): prepared items in air order; its health is a pure rule
(`vvtv.domain.lab.channel.queue_health`)."""

from __future__ import annotations

from collections import deque

import msgspec
import trio

from vvtv.domain.lab.prepared import PreparedItem


class QueueStatistics(msgspec.Struct, frozen=True, kw_only=True):
    items: int
    slack_s: float
    pushed_total: int
    popped_total: int


class BroadcastQueue:
    """Filled by the pipeline, drained by the transmitter, in one trio thread (no locks)."""

    def __init__(self) -> None:
        self._items: deque[PreparedItem] = deque()
        self._changed = trio.Event()
        self._pushed = 0
        self._popped = 0

    def __len__(self) -> int:
        return len(self._items)

    def slack_s(self) -> float:
        return sum(item.duration_s for item in self._items)

    def push(self, item: PreparedItem) -> None:
        self._items.append(item)
        self._pushed += 1
        self._wake()

    def pop(self) -> PreparedItem | None:
        if not self._items:
            return None
        self._popped += 1
        item = self._items.popleft()
        self._wake()
        return item

    def items(self) -> list[PreparedItem]:
        return list(self._items)

    def keep_first(self, count: int) -> list[PreparedItem]:
        """Drop all but the first `count` items (a rotation); return the dropped ones."""
        dropped = list(self._items)[count:]
        while len(self._items) > count:
            self._items.pop()
        self._wake()
        return dropped

    async def wait_slack_below(self, seconds: float) -> None:
        while self.slack_s() >= seconds:
            await self._changed.wait()

    def statistics(self) -> QueueStatistics:
        return QueueStatistics(
            items=len(self._items),
            slack_s=self.slack_s(),
            pushed_total=self._pushed,
            popped_total=self._popped,
        )

    def _wake(self) -> None:
        self._changed.set()
        self._changed = trio.Event()
