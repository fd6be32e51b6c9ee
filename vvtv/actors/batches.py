"""Group commit: while one batch of a key is being flushed, the items submitted for that key wait
and go together as the next batch, so a busy key costs one flush per batch (one actor message,
one transaction), not one per item, and its submitters no timeouts while a flush is slow. A lone
item goes at once. Each submitter gets its own item's result, or the batch's failure."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Sequence
from typing import Generic
from typing import TypeVar

import trio

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")


class _Batch(Generic[T, R]):
    __slots__ = ("answered", "error", "items", "results")

    def __init__(self) -> None:
        self.items: list[T] = []
        self.answered = trio.Event()
        self.results: Sequence[R] = ()
        self.error: BaseException | None = None


class Batches(Generic[K, T, R]):
    """`flush(key, items)` handles one batch and answers one result per item, in order."""

    def __init__(self, flush: Callable[[K, tuple[T, ...]], Awaitable[Sequence[R]]]) -> None:
        self._flush = flush
        self._gathering: dict[K, _Batch[T, R]] = {}  # by key: not flushed yet, open to more
        self._flushing: dict[K, _Batch[T, R]] = {}  # by key: being flushed now

    async def submit(self, key: K, item: T) -> R:
        """Flush `item` with whatever else arrives for `key` meanwhile; a flush that raises fails
        each item of its batch with that error."""
        batch = self._gathering.get(key)
        if batch is not None:
            index = len(batch.items)
            batch.items.append(item)
            await batch.answered.wait()
        else:
            batch = self._gathering[key] = _Batch()
            index = 0
            batch.items.append(item)
            # Whoever opened the batch flushes it for everyone, so it must not be cancelled away
            # with its own request; it waits for at most the batch before, and one flush.
            with trio.CancelScope(shield=True):
                await self._send(key, batch)
        if batch.error is not None:
            raise batch.error
        return batch.results[index]

    async def _send(self, key: K, batch: _Batch[T, R]) -> None:
        before = self._flushing.get(key)
        if before is not None:
            await before.answered.wait()
        del self._gathering[key]
        self._flushing[key] = batch
        try:
            batch.results = await self._flush(key, tuple(batch.items))
        except Exception as error:
            batch.error = error
        finally:
            if self._flushing.get(key) is batch:
                del self._flushing[key]
            batch.answered.set()
