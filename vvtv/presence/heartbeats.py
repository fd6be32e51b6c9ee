"""Heartbeats reach a room in batches (vvtv.actors.batches' group commit): while one batch is with
the room, the heartbeats that arrive for it wait and go together as the next, so a room that
thousands of connections keep alive gets a few messages a second, not one per heartbeat into its
bounded mailbox. An idle room answers a lone heartbeat at once."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable

from vvtv.actors.batches import Batches
from vvtv.domain.presence.messages import Heartbeats

Ask = Callable[[str, Heartbeats], Awaitable[frozenset[str]]]


class HeartbeatBatches:
    """`ask(room, Heartbeats(...))` answers with the connections the room does not hold."""

    def __init__(self, ask: Ask) -> None:
        self._ask = ask
        self._batches: Batches[str, str, bool] = Batches(self._flush)

    async def beat(self, room: str, connection: str) -> bool:
        """Heartbeat `connection` in `room`; whether the room still holds it. A refusal of the
        whole batch (the room busy or gone) is raised to each of its heartbeats."""
        return await self._batches.submit(room, connection)

    async def _flush(self, room: str, connections: tuple[str, ...]) -> list[bool]:
        # One connection twice in a batch (two sockets' beats of one sign-in) is asked once.
        absent = await self._ask(room, Heartbeats(tuple(dict.fromkeys(connections))))
        return [connection not in absent for connection in connections]
