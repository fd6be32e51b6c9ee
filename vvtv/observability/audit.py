"""The audit log (TEL-6): append-only, written in the same transaction as the change it records,
so a change and its audit entry are committed together or not at all."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from vvtv.observability.tracing import current_trace_id
from vvtv.store import Database
from vvtv.store.rows import from_row


class AuditRecord(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    actor_id: str | None  # None: the system or the operator's shell
    action: str
    target_id: str | None = None
    reason: str | None = None
    detail: dict[str, Any] = {}
    # The trace of the request or message it is made for (TEL-7): read where the record is made,
    # since it is written on the database's own thread.
    trace_id: str | None = msgspec.field(default_factory=current_trace_id)


class StoredAudit(AuditRecord, frozen=True, kw_only=True):
    id: int


def append_audit(db: sqlite3.Connection, record: AuditRecord) -> int:
    """Append inside the caller's transaction; returns the entry's id."""
    cursor = db.execute(
        "INSERT INTO audit_log (at, actor_id, action, target_id, reason, detail, trace_id)"
        " VALUES (?,?,?,?,?,?,?)",
        (
            record.at.isoformat(),
            record.actor_id,
            record.action,
            record.target_id,
            record.reason,
            json.dumps(record.detail, sort_keys=True),
            record.trace_id,
        ),
    )
    return int(cursor.lastrowid or 0)


def insert_audited(
    db: sqlite3.Connection, sql: str, values: Sequence[object], audit: AuditRecord, *, named: str
) -> int:
    """Insert one row and append `audit` about it inside the caller's transaction, its detail
    naming the row's id (known only once the row exists) as `named`; returns that id."""
    row_id = int(db.execute(sql, values).lastrowid or 0)
    append_audit(db, msgspec.structs.replace(audit, detail={**audit.detail, named: row_id}))
    return row_id


class AuditLog:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def append(self, record: AuditRecord) -> int:
        return await self._db.write(lambda db: append_audit(db, record))

    async def page(self, before_id: int | None, limit: int) -> list[StoredAudit]:
        """Newest first; pass the last id seen as `before_id` for the next page."""
        return await self._select("", (), before_id, limit)

    async def about(self, target_id: str, before_id: int | None, limit: int) -> list[StoredAudit]:
        """The entries about one target (an account's history, TEL-6), newest first."""
        return await self._select("target_id = ? AND", (target_id,), before_id, limit)

    async def _select(
        self, where: str, values: tuple[str, ...], before_id: int | None, limit: int
    ) -> list[StoredAudit]:
        def select(db: sqlite3.Connection) -> list[StoredAudit]:
            rows = db.execute(
                f"SELECT * FROM audit_log WHERE {where} id < ? ORDER BY id DESC LIMIT ?",
                (*values, before_id if before_id is not None else 2**62, limit),
            )
            return [
                from_row(
                    StoredAudit,
                    row,
                    detail=json.loads(row["detail"]),
                )
                for row in rows
            ]

        return await self._db.read(select)
