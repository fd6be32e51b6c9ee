"""The chat store, SQLite and in memory alike: one thread per pair (CHT-1), messages by seq with
cursor paging both ways, a report's messages by id (MOD-1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC
from datetime import datetime
from pathlib import Path

import msgspec
import pytest

from vvtv.chat.store import ChatStore
from vvtv.chat.store import MemoryChatStore
from vvtv.chat.store import SqliteChatStore
from vvtv.config import build_runtime_config
from vvtv.contracts.chat import ChatMessageView
from vvtv.domain.chat.thread import Thread
from vvtv.domain.chat.thread import private_key
from vvtv.store import open_database

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
STORE = msgspec.structs.asdict(
    build_runtime_config(Path(__file__).resolve().parents[3] / "config").limits.runtime.store
)


@pytest.fixture(params=["sqlite", "memory"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ChatStore]:
    if request.param == "memory":
        yield MemoryChatStore()
        return
    async with open_database(tmp_path / "db.sqlite3", **STORE) as db:
        yield SqliteChatStore(db)


def _pair(thread_id: str) -> Thread:
    return Thread(thread_id, "private_1to1", private_key("b", "a"), frozenset({"a", "b"}), 0, AT)


def _message(seq: int) -> ChatMessageView:
    return ChatMessageView(
        thread_id="t1", seq=seq, message_id=f"m{seq}", author_id="a", body=f"hi {seq}", sent_at=AT
    )


@pytest.mark.req("CHT-1")
async def test_a_pair_opened_twice_is_one_thread(store: ChatStore) -> None:
    first = await store.create(_pair("t1"))
    again = await store.create(_pair("t2"))
    assert again.id == first.id == "t1"
    found = await store.find("private_1to1", "a:b")
    assert found is not None
    assert found.participants == frozenset({"a", "b"})
    assert await store.get("t2") is None


async def test_history_pages_by_seq_both_ways(store: ChatStore) -> None:
    await store.create(_pair("t1"))
    for seq in range(1, 8):
        await store.append([_message(seq)])
    thread = await store.get("t1")
    assert thread is not None
    assert thread.last_seq == 7

    def seqs(page: list[ChatMessageView]) -> list[int]:
        return [m.seq for m in page]

    assert seqs(await store.history("t1", before_seq=None, after_seq=None, limit=3)) == [5, 6, 7]
    assert seqs(await store.history("t1", before_seq=5, after_seq=None, limit=3)) == [2, 3, 4]
    assert seqs(await store.history("t1", before_seq=2, after_seq=None, limit=3)) == [1]
    assert seqs(await store.history("t1", before_seq=None, after_seq=4, limit=2)) == [5, 6]
    assert seqs(await store.history("t1", before_seq=None, after_seq=7, limit=2)) == []


async def test_joining_a_room_thread_adds_a_member_once(store: ChatStore) -> None:
    await store.create(Thread("r1", "room", "party", frozenset({"a"}), 0, AT))
    await store.join("r1", "b", AT)
    await store.join("r1", "b", AT)
    thread = await store.get("r1")
    assert thread is not None
    assert thread.participants == frozenset({"a", "b"})


@pytest.mark.req("MOD-1")
async def test_reported_messages_are_found_by_id_in_their_thread_only(store: ChatStore) -> None:
    await store.create(_pair("t1"))
    await store.append([_message(seq) for seq in range(1, 4)])
    found = await store.by_id("t1", ("m3", "m1", "nope"))
    assert [m.message_id for m in found] == ["m1", "m3"]
    assert await store.by_id("t2", ("m1",)) == []
    assert await store.by_id("t1", ()) == []
