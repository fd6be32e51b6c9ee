"""Where Shield Mode stands, in the one database (0009_chat_safety.sql): a restart keeps it, each
switch written with its audit entry in one transaction."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Protocol

from vvtv.observability.audit import AuditRecord, append_audit
from vvtv.store import Database


class ShieldStore(Protocol):
    async def load(self) -> tuple[bool, datetime] | None: ...

    async def save(self, active: bool, at: datetime, audit: AuditRecord) -> None: ...


class SqliteShieldStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def load(self) -> tuple[bool, datetime] | None:
        def select(db: sqlite3.Connection) -> tuple[bool, datetime] | None:
            row = db.execute("SELECT active, updated_at FROM shield_mode WHERE id = 1").fetchone()
            if row is None:
                return None
            return bool(row["active"]), datetime.fromisoformat(row["updated_at"])

        return await self._db.read(select)

    async def save(self, active: bool, at: datetime, audit: AuditRecord) -> None:
        def upsert(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO shield_mode (id, active, updated_at) VALUES (1, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET active = excluded.active,"
                " updated_at = excluded.updated_at",
                (int(active), at.isoformat()),
            )
            append_audit(db, audit)

        await self._db.write(upsert)
