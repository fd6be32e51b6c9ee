"""Sends reach a thread in batches: while one batch is with the thread's actor, the sends that
arrive for it wait and go together as the next (a group commit), so a busy room costs its actor
one store write per batch, not one per message, and its senders no ask timeouts when a write is
slow. A lone send goes at once. The shape of presence's heartbeat batches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import trio

from vvtv.chat.actor import Send, Sends
from vvtv.contracts.chat import ChatMessageView

Ask = Callable[[str, Sends], Awaitable[tuple[ChatMessageView, ...]]]


class _Batch:
    __slots__ = ("answered", "error", "sends", "stored")

    def __init__(self) -> None:
        self.sends: list[Send] = []
        self.answered = trio.Event()
        self.stored: tuple[ChatMessageView, ...] = ()
        self.error: BaseException | None = None


class SendBatches:
    """`ask(thread_id, Sends(...))` answers with the stored messages, in order."""

    def __init__(self, ask: Ask) -> None:
        self._ask = ask
        self._gathering: dict[str, _Batch] = {}  # by thread: not sent yet, open to more
        self._sent: dict[str, _Batch] = {}  # by thread: with its actor now

    async def send(self, thread_id: str, send: Send) -> ChatMessageView:
        """Number, store and deliver `send` with whatever else arrives meanwhile; a refusal of
        the whole batch (the store failed, the actor busy) is raised to each of its senders."""
        batch = self._gathering.get(thread_id)
        if batch is not None:
            index = len(batch.sends)
            batch.sends.append(send)
            await batch.answered.wait()
        else:
            batch = self._gathering[thread_id] = _Batch()
            index = 0
            batch.sends.append(send)
            # Whoever opened the batch sends it for everyone, so it must not be cancelled away
            # with its own request; it waits for at most the batch before, and one ask.
            with trio.CancelScope(shield=True):
                await self._flush(thread_id, batch)
        if batch.error is not None:
            raise batch.error
        return batch.stored[index]

    async def _flush(self, thread_id: str, batch: _Batch) -> None:
        before = self._sent.get(thread_id)
        if before is not None:
            await before.answered.wait()
        del self._gathering[thread_id]
        self._sent[thread_id] = batch
        try:
            batch.stored = await self._ask(thread_id, Sends(tuple(batch.sends)))
        except Exception as error:
            batch.error = error
        finally:
            if self._sent.get(thread_id) is batch:
                del self._sent[thread_id]
            batch.answered.set()
