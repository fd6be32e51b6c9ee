"""Where the kill-switch ladder stands, kept in the one database so a restart resumes it (INV-7):
the level the load reached and an admin's pin, each change written with its audit entry."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Protocol

from vvtv.domain.values import frozen
from vvtv.observability.audit import AuditRecord
from vvtv.observability.audit import append_audit
from vvtv.store import Database


@frozen
class SavedLadder:
    automatic: int
    override: int | None


class LadderStore(Protocol):
    async def load(self) -> SavedLadder | None: ...

    async def save(self, ladder: SavedLadder, at: datetime, audit: AuditRecord | None) -> None: ...


class SqliteLadderStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def load(self) -> SavedLadder | None:
        def select(db: sqlite3.Connection) -> SavedLadder | None:
            row = db.execute("SELECT automatic, override FROM kill_switch WHERE id = 1").fetchone()
            return None if row is None else SavedLadder(row["automatic"], row["override"])

        return await self._db.read(select)

    async def save(self, ladder: SavedLadder, at: datetime, audit: AuditRecord | None) -> None:
        def upsert(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO kill_switch (id, automatic, override, updated_at) VALUES (1, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET automatic = excluded.automatic,"
                " override = excluded.override, updated_at = excluded.updated_at",
                (ladder.automatic, ladder.override, at.isoformat()),
            )
            if audit is not None:
                append_audit(db, audit)

        await self._db.write(upsert)
