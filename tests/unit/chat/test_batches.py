"""Sends reach a thread in batches (a group commit): while one batch is with the actor, the sends
that arrive wait and go together; each sender gets its own message, or the batch's refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import trio
import trio.testing

from vvtv.chat.actor import Send, Sends
from vvtv.chat.batches import SendBatches
from vvtv.contracts.chat import ChatMessageView

AT = datetime(2026, 12, 1, tzinfo=UTC)


class Actor:
    """Numbers what it is asked, once `release` is set for each ask."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, ...]] = []
        self.release = trio.Event()
        self.fail = False
        self.seq = 0

    async def ask(self, thread_id: str, sends: Sends) -> tuple[ChatMessageView, ...]:
        self.asked.append(tuple(send.body for send in sends.items))
        await self.release.wait()
        self.release = trio.Event()
        if self.fail:
            raise RuntimeError("the store failed")
        stored = []
        for send in sends.items:
            self.seq += 1
            stored.append(
                ChatMessageView(
                    thread_id=thread_id,
                    seq=self.seq,
                    message_id=f"m{self.seq}",
                    author_id=send.author_id,
                    body=send.body,
                    sent_at=AT,
                )
            )
        return tuple(stored)


@pytest.mark.req("CHT-2")
async def test_sends_that_arrive_while_one_is_stored_go_together_each_answered() -> None:
    actor = Actor()
    batches = SendBatches(actor.ask)
    got: dict[str, int] = {}

    async def send(body: str) -> None:
        got[body] = (await batches.send("t", Send("ana", body, None))).seq

    seen = []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(send, "first")
        await trio.testing.wait_all_tasks_blocked()
        for body in ("a", "b", "c"):
            nursery.start_soon(send, body)
        await trio.testing.wait_all_tasks_blocked()
        seen.append(list(actor.asked))  # a lone send goes at once; the rest wait
        actor.release.set()
        await trio.testing.wait_all_tasks_blocked()
        seen.append(list(actor.asked))
        actor.release.set()
    [lone], [_, together] = seen
    assert lone == ("first",)
    assert sorted(together) == ["a", "b", "c"]  # one ask, in the order they arrived
    assert [got[body] for body in together] == [2, 3, 4]
    assert got["first"] == 1


async def test_a_failed_batch_is_each_sender_s_failure() -> None:
    actor = Actor()
    actor.fail = True
    batches = SendBatches(actor.ask)
    failures = []

    async def send(body: str) -> None:
        with pytest.raises(RuntimeError) as raised:
            await batches.send("t", Send("ana", body, None))
        failures.append(str(raised.value))

    async with trio.open_nursery() as nursery:
        for body in ("a", "b"):
            nursery.start_soon(send, body)
        await trio.testing.wait_all_tasks_blocked()
        actor.release.set()
        await trio.testing.wait_all_tasks_blocked()
        actor.release.set()
    assert failures == ["the store failed"] * 2
