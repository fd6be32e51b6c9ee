"""Chat's safety records (0009_chat_safety.sql, 0011_chat_held_decisions.sql): messages
auto-moderation held for review and the moderators' decisions on them, chat timeouts, and the
recent messages Shield Mode's sweep reads. Each change is written with its audit entry (TEL-6); a
held body goes to the database and nowhere else (TEL-3)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from vvtv.contracts.chat import ChatScope
from vvtv.contracts.chat import HeldMessageView
from vvtv.contracts.chat import HeldStatus
from vvtv.observability.audit import AuditRecord
from vvtv.observability.audit import append_audit
from vvtv.observability.audit import insert_audited
from vvtv.store import Database
from vvtv.store.rows import from_row


@dataclass(frozen=True, slots=True, kw_only=True)
class Held:
    thread_id: str
    scope: ChatScope
    author_id: str
    body: str
    rule: str
    client_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Decided:
    """A moderator's decision on a held message, to write with its audit entry."""

    held_id: int
    status: HeldStatus
    decided_by: str
    at: datetime
    message_id: str | None  # approved: the id it is delivered with


class SafetyStore(Protocol):
    async def hold(self, held: Held, audit: AuditRecord) -> int: ...

    async def held(
        self, status: HeldStatus, before_id: int | None, limit: int
    ) -> list[HeldMessageView]:
        """Those with `status`, newest first."""
        ...

    async def held_one(self, held_id: int) -> tuple[HeldMessageView, str | None] | None:
        """One held message and the client id it was sent with, whatever its status."""
        ...

    async def decide(self, decided: Decided, audit: AuditRecord) -> bool:
        """Write the decision if the message is still held (False: decided already)."""
        ...

    async def undecide(self, held_id: int, audit: AuditRecord) -> None:
        """Hold it again: an approval whose delivery failed."""
        ...

    async def time_out(
        self, until: dict[str, datetime], reason: str, audits: list[AuditRecord]
    ) -> None: ...

    async def timeouts(self, now: datetime) -> dict[str, datetime]:
        """Every timeout still running at `now`."""
        ...

    async def recent(self, since: datetime) -> list[tuple[str, str]]:
        """(author, body) of every message sent since `since`."""
        ...


class SqliteSafetyStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def hold(self, held: Held, audit: AuditRecord) -> int:
        row = (
            held.thread_id, held.scope, held.author_id, held.body, held.rule, held.client_id,
            held.created_at.isoformat(),
        )  # fmt: skip
        return await self._db.write(
            lambda db: insert_audited(db, _HOLD, row, audit, named="held_id")
        )

    async def held(
        self, status: HeldStatus, before_id: int | None, limit: int
    ) -> list[HeldMessageView]:
        def read(db: sqlite3.Connection) -> list[HeldMessageView]:
            rows = db.execute(
                f"SELECT {_HELD} FROM chat_held WHERE status = ? AND id < ? ORDER BY id DESC"
                " LIMIT ?",
                (status, before_id if before_id is not None else 2**63 - 1, limit),
            ).fetchall()
            return [_held_view(row) for row in rows]

        return await self._db.read(read)

    async def held_one(self, held_id: int) -> tuple[HeldMessageView, str | None] | None:
        def read(db: sqlite3.Connection) -> tuple[HeldMessageView, str | None] | None:
            row = db.execute(
                f"SELECT {_HELD}, client_id FROM chat_held WHERE id = ?", (held_id,)
            ).fetchone()
            return None if row is None else (_held_view(row), row["client_id"])

        return await self._db.read(read)

    async def decide(self, decided: Decided, audit: AuditRecord) -> bool:
        def write(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE chat_held SET status = ?, decided_by = ?, decided_at = ?, message_id = ?"
                " WHERE id = ? AND status = 'held'",
                (
                    decided.status, decided.decided_by, decided.at.isoformat(),
                    decided.message_id, decided.held_id,
                ),
            )  # fmt: skip
            if cursor.rowcount != 1:
                return False
            append_audit(db, audit)
            return True

        return await self._db.write(write)

    async def undecide(self, held_id: int, audit: AuditRecord) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE chat_held SET status = 'held', decided_by = NULL, decided_at = NULL,"
                " message_id = NULL WHERE id = ?",
                (held_id,),
            )
            append_audit(db, audit)

        await self._db.write(write)

    async def time_out(
        self, until: dict[str, datetime], reason: str, audits: list[AuditRecord]
    ) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.executemany(
                "INSERT INTO chat_timeouts (user_id, until, reason) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET until = MAX(until, excluded.until),"
                " reason = excluded.reason",
                [(user_id, at.isoformat(), reason) for user_id, at in until.items()],
            )
            for audit in audits:
                append_audit(db, audit)

        await self._db.write(write)

    async def timeouts(self, now: datetime) -> dict[str, datetime]:
        def read(db: sqlite3.Connection) -> dict[str, datetime]:
            rows = db.execute(
                "SELECT user_id, until FROM chat_timeouts WHERE until > ?", (now.isoformat(),)
            ).fetchall()
            return {row["user_id"]: datetime.fromisoformat(row["until"]) for row in rows}

        return await self._db.read(read)

    async def recent(self, since: datetime) -> list[tuple[str, str]]:
        def read(db: sqlite3.Connection) -> list[tuple[str, str]]:
            rows = db.execute(
                "SELECT author_id, body FROM chat_messages WHERE sent_at >= ?",
                (since.isoformat(),),
            ).fetchall()
            return [(row["author_id"], row["body"]) for row in rows]

        return await self._db.read(read)


_HOLD = (
    "INSERT INTO chat_held (thread_id, scope, author_id, body, rule, client_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)

# A held message's columns, named as the view's fields.
_HELD_FIELDS = (
    "id", "thread_id", "scope", "author_id", "body", "rule", "created_at", "status", "decided_by",
    "decided_at", "message_id",
)  # fmt: skip
_HELD = ", ".join(_HELD_FIELDS)


def _held_view(row: sqlite3.Row) -> HeldMessageView:
    return from_row(HeldMessageView, row)
