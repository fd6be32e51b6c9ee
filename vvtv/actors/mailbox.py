"""A bounded FIFO mailbox with one consumer: the actor's queue, leaner than a trio memory channel.

`put_nowait` never blocks (`trio.WouldBlock` when full), `put` waits for room, and the consumer
parks only when the mailbox is empty, so a busy actor takes its next message without a round
trip through the scheduler.
"""

from __future__ import annotations

from collections import deque
from typing import Generic
from typing import TypeVar

import trio

T = TypeVar("T")


class Mailbox(Generic[T]):
    """Closing refuses new items; the consumer gets what was queued, then `trio.EndOfChannel`."""

    __slots__ = ("_capacity", "_closed", "_consumer", "_items", "_senders")

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: deque[T] = deque()
        self._closed = False
        self._consumer: trio.lowlevel.Task | None = None
        self._senders = trio.lowlevel.ParkingLot()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        return self._closed

    def put_nowait(self, item: T) -> None:
        """Queue `item`; `trio.WouldBlock` if full, `trio.ClosedResourceError` if closed."""
        if self._closed:
            raise trio.ClosedResourceError
        if len(self._items) >= self._capacity:
            raise trio.WouldBlock
        self._items.append(item)
        consumer = self._consumer
        if consumer is not None:
            self._consumer = None
            trio.lowlevel.reschedule(consumer)

    async def put(self, item: T) -> None:
        """Queue `item`, waiting for room first; `trio.ClosedResourceError` if closed meanwhile."""
        await trio.lowlevel.checkpoint_if_cancelled()
        while len(self._items) >= self._capacity and not self._closed:
            await self._senders.park()
        self.put_nowait(item)
        await trio.lowlevel.cancel_shielded_checkpoint()

    def get_nowait(self) -> T:
        """The oldest item; `trio.WouldBlock` if empty, `trio.EndOfChannel` if empty and closed."""
        items = self._items
        if items:
            item = items.popleft()
            if self._senders:
                self._senders.unpark()
            return item
        if self._closed:
            raise trio.EndOfChannel
        raise trio.WouldBlock

    async def get(self) -> T:
        """The oldest item, parking until there is one; `trio.EndOfChannel` once closed and empty.

        Always parks or checkpoints, so it is a cancellation point.
        """
        if self._items or self._closed:
            await trio.lowlevel.checkpoint()
            return self.get_nowait()
        self._consumer = trio.lowlevel.current_task()

        def abort(_: object) -> trio.lowlevel.Abort:
            self._consumer = None
            return trio.lowlevel.Abort.SUCCEEDED

        await trio.lowlevel.wait_task_rescheduled(abort)
        return self.get_nowait()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        consumer = self._consumer
        if consumer is not None:
            self._consumer = None
            trio.lowlevel.reschedule(consumer)
        self._senders.unpark_all()
