"""Chat records: the `ChatStore` port, its SQLite adapter (0004_chat.sql) and an in-memory one for
actor tests on trio's MockClock. Bodies go to the database and nowhere else (TEL-3)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from vvtv.contracts.chat import ChatMessageView
from vvtv.contracts.chat import ChatScope
from vvtv.domain.chat.thread import Thread
from vvtv.store import Database
from vvtv.store.rows import from_row


class ChatStore(Protocol):
    async def find(self, scope: ChatScope, key: str) -> Thread | None: ...

    async def get(self, thread_id: str) -> Thread | None: ...

    async def create(self, thread: Thread) -> Thread:
        """Insert the thread with its participants; if its (scope, key) exists already, return
        that one instead (two opens at once still make one thread, CHT-1)."""
        ...

    async def join(self, thread_id: str, user_id: str, at: datetime) -> None: ...

    async def append(self, messages: Sequence[ChatMessageView]) -> None:
        """Write the messages (of one thread, in seq order) and the thread's last_seq together,
        in one transaction, before returning."""
        ...

    async def history(
        self, thread_id: str, *, before_seq: int | None, after_seq: int | None, limit: int
    ) -> list[ChatMessageView]:
        """Up to `limit` messages in ascending seq: after `after_seq` (the oldest first), else
        before `before_seq` (or the newest), the newest `limit` of them."""
        ...

    async def by_id(self, thread_id: str, message_ids: tuple[str, ...]) -> list[ChatMessageView]:
        """The messages of `thread_id` among `message_ids`, in seq order (a report's, MOD-1)."""
        ...


class MemoryChatStore:
    """Implements `ChatStore` without IO."""

    def __init__(self) -> None:
        self.threads: dict[str, Thread] = {}
        self.messages: dict[str, list[ChatMessageView]] = {}

    async def find(self, scope: ChatScope, key: str) -> Thread | None:
        return next((t for t in self.threads.values() if t.scope == scope and t.key == key), None)

    async def get(self, thread_id: str) -> Thread | None:
        return self.threads.get(thread_id)

    async def create(self, thread: Thread) -> Thread:
        existing = await self.find(thread.scope, thread.key)
        if existing is not None:
            return existing
        self.threads[thread.id] = thread
        self.messages[thread.id] = []
        return thread

    async def join(self, thread_id: str, user_id: str, at: datetime) -> None:
        self.threads[thread_id] = self.threads[thread_id].joined(user_id)

    async def append(self, messages: Sequence[ChatMessageView]) -> None:
        for message in messages:
            self.messages[message.thread_id].append(message)
            thread = self.threads[message.thread_id]
            self.threads[message.thread_id] = replace(thread, last_seq=message.seq)

    async def history(
        self, thread_id: str, *, before_seq: int | None, after_seq: int | None, limit: int
    ) -> list[ChatMessageView]:
        messages = self.messages.get(thread_id, [])
        if after_seq is not None:
            return [m for m in messages if m.seq > after_seq][:limit]
        older = [m for m in messages if before_seq is None or m.seq < before_seq]
        return older[-limit:]

    async def by_id(self, thread_id: str, message_ids: tuple[str, ...]) -> list[ChatMessageView]:
        wanted = set(message_ids)
        return [m for m in self.messages.get(thread_id, []) if m.message_id in wanted]


_MESSAGE_COLUMNS = "thread_id, seq, id, author_id, body, client_id, sent_at"


def _message(row: sqlite3.Row) -> ChatMessageView:
    return from_row(ChatMessageView, row, message_id=row["id"])


def _thread(db: sqlite3.Connection, row: sqlite3.Row | None) -> Thread | None:
    if row is None:
        return None
    members = db.execute("SELECT user_id FROM chat_participants WHERE thread_id = ?", (row["id"],))
    return from_row(Thread, row, participants=frozenset(m["user_id"] for m in members))


_THREAD = "SELECT id, scope, key, last_seq, created_at FROM chat_threads"


class SqliteChatStore:
    """Implements `ChatStore` on the process's database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def find(self, scope: ChatScope, key: str) -> Thread | None:
        def read(db: sqlite3.Connection) -> Thread | None:
            row = db.execute(f"{_THREAD} WHERE scope = ? AND key = ?", (scope, key)).fetchone()
            return _thread(db, row)

        return await self._db.read(read)

    async def get(self, thread_id: str) -> Thread | None:
        def read(db: sqlite3.Connection) -> Thread | None:
            return _thread(db, db.execute(f"{_THREAD} WHERE id = ?", (thread_id,)).fetchone())

        return await self._db.read(read)

    async def create(self, thread: Thread) -> Thread:
        def write(db: sqlite3.Connection) -> Thread:
            inserted = db.execute(
                "INSERT INTO chat_threads (id, scope, key, last_seq, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING",
                (
                    thread.id,
                    thread.scope,
                    thread.key,
                    thread.last_seq,
                    thread.created_at.isoformat(),
                ),
            ).rowcount
            if not inserted:
                row = db.execute(
                    f"{_THREAD} WHERE scope = ? AND key = ?", (thread.scope, thread.key)
                ).fetchone()
                existing = _thread(db, row)
                assert existing is not None  # the conflict was with it
                return existing
            db.executemany(
                "INSERT INTO chat_participants (thread_id, user_id, joined_at) VALUES (?, ?, ?)",
                [
                    (thread.id, u, thread.created_at.isoformat())
                    for u in sorted(thread.participants)
                ],
            )
            return thread

        return await self._db.write(write)

    async def join(self, thread_id: str, user_id: str, at: datetime) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO chat_participants (thread_id, user_id, joined_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (thread_id, user_id, at.isoformat()),
            )

        await self._db.write(write)

    async def append(self, messages: Sequence[ChatMessageView]) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.executemany(
                f"INSERT INTO chat_messages ({_MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        m.thread_id,
                        m.seq,
                        m.message_id,
                        m.author_id,
                        m.body,
                        m.client_id,
                        m.sent_at.isoformat(),
                    )
                    for m in messages
                ],
            )
            last = messages[-1]
            db.execute(
                "UPDATE chat_threads SET last_seq = ? WHERE id = ?", (last.seq, last.thread_id)
            )

        await self._db.write(write)

    async def history(
        self, thread_id: str, *, before_seq: int | None, after_seq: int | None, limit: int
    ) -> list[ChatMessageView]:
        def read(db: sqlite3.Connection) -> list[ChatMessageView]:
            if after_seq is not None:
                rows = db.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM chat_messages WHERE thread_id = ? AND seq > ?"
                    " ORDER BY seq LIMIT ?",
                    (thread_id, after_seq, limit),
                ).fetchall()
                return [_message(r) for r in rows]
            rows = db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM chat_messages WHERE thread_id = ? AND seq < ?"
                " ORDER BY seq DESC LIMIT ?",
                (thread_id, before_seq if before_seq is not None else 2**63 - 1, limit),
            ).fetchall()
            return [_message(r) for r in reversed(rows)]

        return await self._db.read(read)

    async def by_id(self, thread_id: str, message_ids: tuple[str, ...]) -> list[ChatMessageView]:
        marks = ",".join("?" * len(message_ids))

        def read(db: sqlite3.Connection) -> list[ChatMessageView]:
            rows = db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM chat_messages WHERE thread_id = ? AND id IN"
                f" ({marks}) ORDER BY seq",
                (thread_id, *message_ids),
            ).fetchall()
            return [_message(r) for r in rows]

        return await self._db.read(read) if message_ids else []
