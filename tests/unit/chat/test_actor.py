"""The thread actor over the in-memory store: it persists before it delivers, so what a client was
sent is always in the history it resumes from (CHT-2), and a failed write costs no seq."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vvtv.chat.actor import ChatPorts, ChatThreadActor, Join, Replay, Send
from vvtv.chat.errors import ThreadNotFound
from vvtv.chat.store import MemoryChatStore
from vvtv.contracts.chat import ChatMessageView
from vvtv.contracts.events import ServerEvent
from vvtv.domain.chat.thread import Thread

AT = datetime(2026, 12, 1, tzinfo=UTC)


class BrokenDisk(Exception):
    pass


class FlakyStore(MemoryChatStore):
    def __init__(self) -> None:
        super().__init__()
        self.fail_next = False

    async def append(self, message: ChatMessageView) -> None:
        if self.fail_next:
            self.fail_next = False
            raise BrokenDisk
        await super().append(message)


def _ports(store: MemoryChatStore, sent: list[tuple[str, ServerEvent]]) -> ChatPorts:
    return ChatPorts(
        store=store,
        notify_user=lambda user, event: sent.append((user, event)),
        notify_connection=lambda connection, event: sent.append((connection, event)),
        blocked=lambda user: frozenset({"bob"}) if user == "ana" else frozenset(),
        clock=lambda: AT,
    )


@pytest.mark.req("CHT-2")
async def test_a_failed_write_delivers_nothing_and_costs_no_seq() -> None:
    store = FlakyStore()
    await store.create(Thread("t", "private_1to1", "ana:cyd", frozenset({"ana", "cyd"}), 0, AT))
    sent: list[tuple[str, ServerEvent]] = []
    actor = ChatThreadActor("t", _ports(store, sent))
    await actor.on_start()
    store.fail_next = True
    with pytest.raises(BrokenDisk):
        await actor.handle(Send("ana", "lost", None))
    assert sent == []
    message = await actor.handle(Send("ana", "kept", "c1"))
    assert isinstance(message, ChatMessageView)
    assert message.seq == 1
    assert sorted(user for user, _ in sent) == ["ana", "cyd"]
    assert [m.body for m in store.messages["t"]] == ["kept"]


@pytest.mark.req("MOD-2")
async def test_in_rooms_a_blocked_reader_is_neither_sent_nor_replayed_the_author() -> None:
    store = MemoryChatStore()
    await store.create(Thread("r", "room", "party", frozenset({"ana", "bob", "cyd"}), 0, AT))
    sent: list[tuple[str, ServerEvent]] = []
    actor = ChatThreadActor("r", _ports(store, sent))
    await actor.on_start()
    await actor.handle(Send("bob", "from bob", None))
    await actor.handle(Send("cyd", "from cyd", None))
    assert sorted(user for user, _ in sent[:2]) == ["bob", "cyd"]  # not ana
    sent.clear()
    await actor.handle(Replay("socket-1", "ana", 0, page=1))
    assert [(to, getattr(e, "seq", None)) for to, e in sent] == [("socket-1", 2)]


async def test_an_unknown_thread_refuses_and_a_join_is_remembered() -> None:
    store = MemoryChatStore()
    actor = ChatThreadActor("nope", _ports(store, []))
    await actor.on_start()
    with pytest.raises(ThreadNotFound):
        await actor.handle(Join("ana"))
    await store.create(Thread("r", "room", "party", frozenset({"ana"}), 0, AT))
    room = ChatThreadActor("r", _ports(store, []))
    await room.on_start()
    joined = await room.handle(Join("bob"))
    assert isinstance(joined, Thread)
    assert joined.participants == frozenset({"ana", "bob"})
    stored = await store.get("r")
    assert stored is not None
    assert stored.participants == joined.participants
