"""Chat's safety records (0009_chat_safety.sql): messages auto-moderation held for review, chat
timeouts, and the recent messages Shield Mode's sweep reads. Each change is written with its
audit entry (TEL-6); a held body goes to the database and nowhere else (TEL-3)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from vvtv.contracts.chat import ChatScope, HeldMessageView
from vvtv.observability.audit import AuditRecord, append_audit
from vvtv.store import Database


@dataclass(frozen=True, slots=True, kw_only=True)
class Held:
    thread_id: str
    scope: ChatScope
    author_id: str
    body: str
    rule: str
    client_id: str | None
    created_at: datetime


class SafetyStore(Protocol):
    async def hold(self, held: Held, audit: AuditRecord) -> int: ...

    async def held(self, before_id: int | None, limit: int) -> list[HeldMessageView]:
        """Newest first."""
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
        def write(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO chat_held (thread_id, scope, author_id, body, rule, client_id,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    held.thread_id, held.scope, held.author_id, held.body, held.rule,
                    held.client_id, held.created_at.isoformat(),
                ),
            )  # fmt: skip
            held_id = int(cursor.lastrowid or 0)
            append_audit(db, _with_target(audit, str(held_id)))
            return held_id

        return await self._db.write(write)

    async def held(self, before_id: int | None, limit: int) -> list[HeldMessageView]:
        def read(db: sqlite3.Connection) -> list[HeldMessageView]:
            rows = db.execute(
                "SELECT id, thread_id, scope, author_id, body, rule, created_at FROM chat_held"
                " WHERE id < ? ORDER BY id DESC LIMIT ?",
                (before_id if before_id is not None else 2**63 - 1, limit),
            ).fetchall()
            return [
                HeldMessageView(
                    id=row["id"],
                    thread_id=row["thread_id"],
                    scope=row["scope"],
                    author_id=row["author_id"],
                    body=row["body"],
                    rule=row["rule"],
                    created_at=datetime.fromisoformat(row["created_at"]),
                )
                for row in rows
            ]

        return await self._db.read(read)

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


def _with_target(audit: AuditRecord, target_id: str) -> AuditRecord:
    detail = {**audit.detail, "held_id": target_id}
    return AuditRecord(
        at=audit.at, actor_id=audit.actor_id, action=audit.action, target_id=audit.target_id,
        reason=audit.reason, detail=detail, trace_id=audit.trace_id,
    )  # fmt: skip
