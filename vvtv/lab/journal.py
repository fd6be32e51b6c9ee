"""What prepare leaves behind for the operator: loudness measurements and QA rejections.
`SqliteJournal` keeps them in the lab store; `MemoryJournal` is the fake."""

from __future__ import annotations

import sqlite3
from typing import Protocol

import msgspec

from vvtv.clock import WallClock
from vvtv.lab.store import LabStore


class Rejection(msgspec.Struct, frozen=True, kw_only=True):
    item_id: str
    reason: str
    detail: str


class PrepareJournal(Protocol):
    async def loudness(
        self, prepared_id: str, item_id: str, target_lufs: float, measurement: str
    ) -> None: ...

    async def rejected(self, item_id: str, reason: str, detail: str) -> None: ...


class SqliteJournal:
    def __init__(self, store: LabStore, clock: WallClock) -> None:
        self._store = store
        self._clock = clock

    async def loudness(
        self, prepared_id: str, item_id: str, target_lufs: float, measurement: str
    ) -> None:
        at = self._clock().timestamp()

        def upsert(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT OR REPLACE INTO loudness"
                " (prepared_id, item_id, target_lufs, measurement, measured_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (prepared_id, item_id, target_lufs, measurement, at),
            )

        await self._store.write(upsert)

    async def rejected(self, item_id: str, reason: str, detail: str) -> None:
        at = self._clock().timestamp()

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO rejections (item_id, reason, detail, at) VALUES (?, ?, ?, ?)",
                (item_id, reason, detail, at),
            )

        await self._store.write(insert)

    async def rejections(self) -> list[Rejection]:
        def select(connection: sqlite3.Connection) -> list[tuple[str, str, str]]:
            return connection.execute(
                "SELECT item_id, reason, detail FROM rejections ORDER BY id"
            ).fetchall()

        rows = await self._store.run(select)
        return [Rejection(item_id=i, reason=r, detail=d) for i, r, d in rows]


class MemoryJournal:
    def __init__(self) -> None:
        self.measurements: dict[str, str] = {}
        self.rejections: list[Rejection] = []

    async def loudness(
        self, prepared_id: str, item_id: str, target_lufs: float, measurement: str
    ) -> None:
        self.measurements[prepared_id] = measurement

    async def rejected(self, item_id: str, reason: str, detail: str) -> None:
        self.rejections.append(Rejection(item_id=item_id, reason=reason, detail=detail))
