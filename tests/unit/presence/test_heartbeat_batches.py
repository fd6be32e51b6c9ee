"""Heartbeats in batches: the room's `Heartbeats` message, and the group commit that sends one
batch per room at a time, so thousands of heartbeats fit a bounded mailbox."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from tests.unit.presence.scene import LIMITS
from tests.unit.presence.scene import Scene
from tests.unit.presence.scene import handles
from vvtv.actors import MailboxFull
from vvtv.domain.presence.messages import Answer
from vvtv.domain.presence.messages import Heartbeats
from vvtv.presence.heartbeats import HeartbeatBatches


@pytest.mark.req("PRS-5")
def test_a_batch_keeps_those_the_room_holds_and_names_those_it_does_not() -> None:
    scene = Scene()
    scene.join("ana")
    scene.join("bob")
    scene.advance(LIMITS.ttl_s - 1)
    effects = scene.send(Heartbeats(("ana-1", "ghost", "bob-1")))
    assert [e.value for e in effects if isinstance(e, Answer)] == [frozenset({"ghost"})]
    scene.advance(LIMITS.ttl_s - 1)  # past the first TTL: kept alive by the batch
    assert handles(scene.query("cyd").members) == ["ana", "bob"]
    scene.advance(2)
    assert scene.query("cyd").members == []


class SlowRoom:
    """A room that answers a batch only when told to, remembering each batch it was sent."""

    def __init__(self, holds: set[str]) -> None:
        self.holds = holds
        self.batches: list[tuple[str, ...]] = []
        self.go = trio.Event()
        self.refuse = False

    async def ask(self, room: str, message: Heartbeats) -> frozenset[str]:
        self.batches.append(tuple(sorted(message.connections)))
        await self.go.wait()
        self.go = trio.Event()
        if self.refuse:
            raise MailboxFull("the presence actor is busy", kind="presence", key=room)
        return frozenset(message.connections) - self.holds


async def test_heartbeats_arriving_while_a_batch_is_out_go_together_as_the_next() -> None:
    room = SlowRoom(holds={"a", "b", "c"})
    batches = HeartbeatBatches(room.ask)
    answers: dict[str, bool] = {}

    async def beat(connection: str) -> None:
        answers[connection] = await batches.beat("party", connection)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(beat, "a")
        await trio.testing.wait_all_tasks_blocked()
        for connection in ("b", "c", "ghost"):
            nursery.start_soon(beat, connection)
        await trio.testing.wait_all_tasks_blocked()
        assert room.batches == [("a",)]  # one batch with the room at a time
        room.go.set()
        await trio.testing.wait_all_tasks_blocked()
        assert room.batches == [("a",), ("b", "c", "ghost")]
        room.go.set()
    assert answers == {"a": True, "b": True, "c": True, "ghost": False}


async def test_a_refused_batch_is_refused_to_each_heartbeat_in_it_and_the_next_goes_on() -> None:
    room = SlowRoom(holds={"a", "b"})
    batches = HeartbeatBatches(room.ask)
    refused: list[str] = []

    async def beat(connection: str) -> None:
        try:
            await batches.beat("party", connection)
        except MailboxFull:
            refused.append(connection)

    async with trio.open_nursery() as nursery:
        room.refuse = True
        nursery.start_soon(beat, "a")
        await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(beat, "b")
        await trio.testing.wait_all_tasks_blocked()
        room.go.set()
        await trio.testing.wait_all_tasks_blocked()
        room.go.set()
    assert refused == ["a", "b"]
    assert room.batches == [("a",), ("b",)]


async def test_the_socket_that_opened_a_batch_closing_does_not_strand_the_others() -> None:
    room = SlowRoom(holds={"a", "b", "x"})
    batches = HeartbeatBatches(room.ask)
    answers: dict[str, bool] = {}
    closing = trio.CancelScope()

    async def beat(connection: str) -> None:
        answers[connection] = await batches.beat("party", connection)

    async def beat_then_close(connection: str) -> None:
        with closing:
            await beat(connection)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(beat, "x")  # out with the room
        await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(beat_then_close, "a")  # opens the next batch, then its socket closes
        await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(beat, "b")
        await trio.testing.wait_all_tasks_blocked()
        closing.cancel()
        room.go.set()
        await trio.testing.wait_all_tasks_blocked()
        room.go.set()
    assert room.batches == [("x",), ("a", "b")]
    assert answers["b"] is True
