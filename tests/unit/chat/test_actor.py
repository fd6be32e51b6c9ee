"""The thread actor over the in-memory store: it persists before it delivers, so what a client was
sent is always in the history it resumes from (CHT-2), and a failed write costs no seq; each socket
gets each message once, however a resubscribe and live sends interleave."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import NoReturn

import pytest
import trio
import trio.testing

from vvtv.actors import ActorSettings
from vvtv.actors import open_registry
from vvtv.chat.actor import KIND
from vvtv.chat.actor import ChatPorts
from vvtv.chat.actor import ChatThreadActor
from vvtv.chat.actor import Join
from vvtv.chat.actor import Send
from vvtv.chat.actor import Subscribe
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

    async def append(self, messages: Sequence[ChatMessageView]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise BrokenDisk
        await super().append(messages)


class GatedStore(MemoryChatStore):
    """Its history reads wait for `opened`: a catch-up held mid-way, on purpose."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = trio.Event()
        self.reading = trio.Event()

    async def history(
        self, thread_id: str, *, before_seq: int | None, after_seq: int | None, limit: int
    ) -> list[ChatMessageView]:
        self.reading.set()
        await self.opened.wait()
        return await super().history(
            thread_id, before_seq=before_seq, after_seq=after_seq, limit=limit
        )


def _seq(event: ServerEvent) -> int:
    seq: int = getattr(event, "seq")  # noqa: B009 (ServerEvent is a union)
    return seq


class NotAsked:
    """Identity, the gate and the safety store as a thread sees them: it asks none of them (the
    service does)."""

    def __getattr__(self, name: str) -> NoReturn:
        raise AssertionError(f"a thread asked for {name}")


BLOCKS = {"ana": frozenset({"bob"}), "bob": frozenset({"ana"})}


def _ports(
    store: MemoryChatStore,
    sent: list[tuple[str, ServerEvent]],
    sockets: dict[str, tuple[str, ...]] | None = None,
    shadowed: frozenset[str] = frozenset(),
) -> ChatPorts:
    """Sockets by user: each user has one socket named after them unless `sockets` says."""
    return ChatPorts(
        store=store,
        notify_connection=lambda connection, event: sent.append((connection, event)),
        connections_of=lambda user: (sockets or {}).get(user, (user,)),
        blocked=lambda user: BLOCKS.get(user, frozenset()),
        shadowed=lambda user: user in shadowed,
        handle_of=lambda user: f"@{user}",
        clock=lambda: AT,
        people=NotAsked(),
        gate=NotAsked(),
        safety=NotAsked(),
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
    for user in ("ana", "bob", "cyd"):  # their sockets follow the room
        await actor.handle(Subscribe(user, user, 0, page=10))
    await actor.handle(Send("bob", "from bob", None))
    await actor.handle(Send("cyd", "from cyd", None))
    assert [(to, _seq(e)) for to, e in sent] == [
        ("bob", 1),
        ("cyd", 1),
        ("ana", 2),
        ("bob", 2),
        ("cyd", 2),
    ]
    sent.clear()
    await actor.handle(Subscribe("socket-1", "ana", 0, page=1))
    assert [(to, _seq(e)) for to, e in sent] == [("socket-1", 2)]


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


@pytest.mark.req("CHT-2")
async def test_a_socket_that_got_live_messages_then_resubscribes_gets_each_once() -> None:
    """bob's new tab gets seq 5 live, then resubscribes with the last seq it had before (2): it
    is sent 3 and 4, not 5 again; subscribing from 0 on the same socket sends only 1 and 2."""
    store = MemoryChatStore()
    await store.create(Thread("t", "private_1to1", "ana:bob", frozenset({"ana", "bob"}), 0, AT))
    sent: list[tuple[str, ServerEvent]] = []
    sockets: dict[str, tuple[str, ...]] = {"ana": ("ana-1",), "bob": ("bob-1",)}
    ports = _ports(store, sent, sockets)
    actor = ChatThreadActor("t", ports)
    await actor.on_start()
    for n in range(4):
        await actor.handle(Send("ana", f"m{n + 1}", None))
        if n == 1:  # bob's tab closes after seq 2 ...
            sockets["bob"] = ()
            ports.followers.forget("bob-1")
    sockets["bob"] = ("bob-2",)  # ... and a new one opens
    await actor.handle(Send("ana", "m5", None))
    await actor.handle(Subscribe("bob-2", "bob", 2, page=1))
    await actor.handle(Subscribe("bob-2", "bob", 2, page=1))  # again: nothing new
    await actor.handle(Send("ana", "m6", None))
    await actor.handle(Subscribe("bob-2", "bob", 0, page=10))
    to_bob2 = [_seq(e) for to, e in sent if to == "bob-2"]
    assert to_bob2 == [5, 3, 4, 6, 1, 2]
    assert [_seq(e) for to, e in sent if to == "bob-1"] == [1, 2]
    assert [_seq(e) for to, e in sent if to == "ana-1"] == [1, 2, 3, 4, 5, 6]


@pytest.mark.req("CHT-2")
async def test_a_send_that_arrives_during_a_catch_up_follows_it_once() -> None:
    """The catch-up is held in the store while another user's send is asked: the send waits in
    the thread's mailbox, so the socket gets 1, 2 from the history and then 3 live, each once."""
    store = GatedStore()
    store.opened.set()
    await store.create(Thread("r", "room", "party", frozenset({"ana", "cyd"}), 0, AT))
    sent: list[tuple[str, ServerEvent]] = []
    ports = _ports(store, sent)
    settings = ActorSettings(
        mailbox_size=8, ask_timeout_s=60, idle_passivate_s=600, max_restarts=0, restart_window_s=1
    )
    async with open_registry(settings) as registry:
        registry.register(KIND, lambda key: ChatThreadActor(key, ports))
        for n in range(2):
            await registry.ask(KIND, "r", Send("ana", f"m{n + 1}", None))
        store.opened, store.reading = trio.Event(), trio.Event()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(registry.ask, KIND, "r", Subscribe("cyd", "cyd", 0, 10))
            await store.reading.wait()
            nursery.start_soon(registry.ask, KIND, "r", Send("ana", "m3", None))
            await trio.testing.wait_all_tasks_blocked()
            assert [to for to, _ in sent] == []  # the send waits behind the catch-up
            store.opened.set()
    assert [(to, _seq(e)) for to, e in sent] == [("cyd", 1), ("cyd", 2), ("cyd", 3)]


@pytest.mark.req("MOD-4")
async def test_in_rooms_a_shadow_quarantined_author_reaches_only_others_like_them() -> None:
    store = MemoryChatStore()
    members = frozenset({"ana", "cyd", "sam", "sue"})
    await store.create(Thread("r", "room", "party", members, 0, AT))
    sent: list[tuple[str, ServerEvent]] = []
    actor = ChatThreadActor("r", _ports(store, sent, shadowed=frozenset({"sam", "sue"})))
    await actor.on_start()
    for user in sorted(members):
        await actor.handle(Subscribe(user, user, 0, page=10))
    await actor.handle(Send("sam", "quarantined words", None))
    await actor.handle(Send("cyd", "plain words", None))
    assert [(to, _seq(e)) for to, e in sent] == [
        ("sam", 1), ("sue", 1), ("ana", 2), ("cyd", 2), ("sam", 2), ("sue", 2)
    ]  # fmt: skip
    sent.clear()
    await actor.handle(Subscribe("ana-2", "ana", 0, page=10))
    await actor.handle(Subscribe("sue-2", "sue", 0, page=10))
    assert [(to, _seq(e)) for to, e in sent] == [("ana-2", 2), ("sue-2", 1), ("sue-2", 2)]


async def test_a_room_reaches_the_sockets_that_follow_it_and_a_sender_s_own() -> None:
    """Joining a room is not following it: only subscribed sockets get its messages, and a
    socket that sends to it follows it from its own message on."""
    store = MemoryChatStore()
    await store.create(Thread("r", "room", "party", frozenset({"ana", "cyd", "dan"}), 0, AT))
    sent: list[tuple[str, ServerEvent]] = []
    actor = ChatThreadActor("r", _ports(store, sent))
    await actor.on_start()
    await actor.handle(Subscribe("cyd", "cyd", 0, page=10))
    await actor.handle(Send("dan", "m1", None))  # over HTTP: dan's socket follows nothing
    await actor.handle(Send("ana", "m2", None, connection="ana"))
    await actor.handle(Send("cyd", "m3", None))
    assert [(to, _seq(e)) for to, e in sent] == [
        ("cyd", 1),
        ("cyd", 2),
        ("ana", 2),
        ("cyd", 3),
        ("ana", 3),
    ]
    sent.clear()
    await actor.handle(Subscribe("ana", "ana", 0, page=10))
    assert [(to, _seq(e)) for to, e in sent] == [("ana", 1)]


@pytest.mark.req("CHT-2")
async def test_messages_name_their_author_as_of_now_and_none_once_the_account_is_gone() -> None:
    store = MemoryChatStore()
    await store.create(Thread("r", "room", "live_public", frozenset({"ana", "zed"}), 0, AT))
    sent: list[tuple[str, ServerEvent]] = []
    handles: dict[str, str] = {"ana": "ana", "zed": "zed"}
    ports = dataclasses.replace(_ports(store, sent), handle_of=handles.get)
    actor = ChatThreadActor("r", ports)
    await actor.on_start()
    await actor.handle(Subscribe("ana", "ana", 0, page=10))
    for author in ("ana", "zed"):
        await actor.handle(Send(author, "hi", None))
    assert [getattr(e, "author_handle") for _, e in sent] == ["ana", "zed"]  # noqa: B009
    handles["ana"] = "ana_b"  # renamed
    del handles["zed"]  # the account is gone
    sent.clear()
    await actor.handle(Subscribe("socket-1", "ana", 0, page=10))  # replayed from the store
    assert [getattr(e, "author_handle") for _, e in sent] == ["ana_b", None]  # noqa: B009
