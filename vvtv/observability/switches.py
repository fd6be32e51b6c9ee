"""An operator's on/off switch in the one database (the incident flag, TEL-2; Shield Mode): a
restart keeps it, and each switch is written with its audit entry in one transaction (TEL-6)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Literal
from typing import Protocol

from vvtv.clock import WallClock
from vvtv.contracts.events import ServerEvent
from vvtv.domain.values import frozen
from vvtv.observability.audit import AuditRecord
from vvtv.observability.audit import append_audit
from vvtv.store import Database

# The single-row tables that hold a switch (their migrations: 0006, 0009).
SwitchTable = Literal["incident_flag", "shield_mode"]


class SwitchStore(Protocol):
    async def load(self) -> tuple[bool, datetime] | None: ...

    async def save(self, active: bool, at: datetime, audit: AuditRecord) -> None: ...


@frozen
class SwitchPorts:
    """What every switch reaches: where it is kept, every socket (a switch is news to everyone
    online), and the wall clock its change is stamped with."""

    store: SwitchStore
    notify_all: Callable[[ServerEvent], None]
    clock: WallClock


class SqliteSwitchStore:
    def __init__(self, database: Database, table: SwitchTable) -> None:
        self._db = database
        self._table = table

    async def load(self) -> tuple[bool, datetime] | None:
        def select(db: sqlite3.Connection) -> tuple[bool, datetime] | None:
            query = f"SELECT active, updated_at FROM {self._table} WHERE id = 1"
            row = db.execute(query).fetchone()
            if row is None:
                return None
            return bool(row["active"]), datetime.fromisoformat(row["updated_at"])

        return await self._db.read(select)

    async def save(self, active: bool, at: datetime, audit: AuditRecord) -> None:
        def upsert(db: sqlite3.Connection) -> None:
            db.execute(
                f"INSERT INTO {self._table} (id, active, updated_at) VALUES (1, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET active = excluded.active,"
                " updated_at = excluded.updated_at",
                (int(active), at.isoformat()),
            )
            append_audit(db, audit)

        await self._db.write(upsert)
