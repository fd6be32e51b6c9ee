"""Heartbeats reach a room in batches: while one batch is with the room, the heartbeats that
arrive for it wait and go together as the next (a group commit), so a room that thousands of
connections keep alive gets a few messages a second, not one per heartbeat into its bounded
mailbox. An idle room answers a lone heartbeat at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import trio

from vvtv.domain.presence.messages import Heartbeats

Ask = Callable[[str, Heartbeats], Awaitable[frozenset[str]]]


class _Batch:
    __slots__ = ("absent", "answered", "connections", "error")

    def __init__(self) -> None:
        self.connections: set[str] = set()
        self.answered = trio.Event()
        self.absent: frozenset[str] = frozenset()
        self.error: BaseException | None = None


class HeartbeatBatches:
    """`ask(room, Heartbeats(...))` answers with the connections the room does not hold."""

    def __init__(self, ask: Ask) -> None:
        self._ask = ask
        self._gathering: dict[str, _Batch] = {}  # by room: not sent yet, open to more
        self._sent: dict[str, _Batch] = {}  # by room: with the room now

    async def beat(self, room: str, connection: str) -> bool:
        """Heartbeat `connection` in `room`; whether the room still holds it. A refusal of the
        whole batch (the room busy or gone) is raised to each of its heartbeats."""
        batch = self._gathering.get(room)
        if batch is not None:
            batch.connections.add(connection)
            await batch.answered.wait()
        else:
            batch = self._gathering[room] = _Batch()
            batch.connections.add(connection)
            # Whoever opened the batch sends it for everyone, so it must not be cancelled away
            # with its own socket; it waits for at most the batch before, and one ask.
            with trio.CancelScope(shield=True):
                await self._send(room, batch)
        if batch.error is not None:
            raise batch.error
        return connection not in batch.absent

    async def _send(self, room: str, batch: _Batch) -> None:
        before = self._sent.get(room)
        if before is not None:
            await before.answered.wait()
        del self._gathering[room]
        self._sent[room] = batch
        try:
            batch.absent = await self._ask(room, Heartbeats(tuple(batch.connections)))
        except Exception as error:
            batch.error = error
        finally:
            if self._sent.get(room) is batch:
                del self._sent[room]
            batch.answered.set()
