"""The audit port: every command, policy change and refusal is recorded as who, what, result.

`SqliteAudit` writes to the lab store; `MemoryAudit` is the fake. The server may later route the
port to its own audit log (TEL-6).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Protocol

from vvtv.clock import WallClock
from vvtv.contracts.lab import LabAuditEntry
from vvtv.lab.store import LabStore


class Audit(Protocol):
    async def record(self, actor: str, action: str, result: str, detail: str = "") -> None:
        """Record one entry; committed before this returns."""
        ...

    async def recent(self, limit: int = 100) -> list[LabAuditEntry]:
        """The newest entries first."""
        ...


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class SqliteAudit:
    def __init__(self, store: LabStore, clock: WallClock) -> None:
        self._store = store
        self._clock = clock

    async def record(self, actor: str, action: str, result: str, detail: str = "") -> None:
        at = self._clock().timestamp()

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO audit (at, actor, action, result, detail) VALUES (?, ?, ?, ?, ?)",
                (at, actor, action, result, detail),
            )

        await self._store.write(insert)

    async def recent(self, limit: int = 100) -> list[LabAuditEntry]:
        def select(connection: sqlite3.Connection) -> list[tuple[float, str, str, str, str]]:
            return connection.execute(
                "SELECT at, actor, action, result, detail FROM audit ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()

        rows = await self._store.run(select)
        return [
            LabAuditEntry(at=_at(at), actor=actor, action=action, result=result, detail=detail)
            for at, actor, action, result, detail in rows
        ]


class MemoryAudit:
    def __init__(self, clock: WallClock) -> None:
        self._clock = clock
        self.entries: list[LabAuditEntry] = []

    async def record(self, actor: str, action: str, result: str, detail: str = "") -> None:
        self.entries.append(
            LabAuditEntry(
                at=self._clock(), actor=actor, action=action, result=result, detail=detail
            )
        )

    async def recent(self, limit: int = 100) -> list[LabAuditEntry]:
        return list(reversed(self.entries))[:limit]
