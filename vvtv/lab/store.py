"""The channel's persistence port and its SQLite store: the catalog, the OwnerCard versions and
prepare's journal, in the one database (`vvtv.store.Database`, migration 0003_lab). A change and
its audit entry are written in one transaction (TEL-6)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Protocol

import msgspec

from vvtv.contracts.lab import FieldChange
from vvtv.contracts.lab import MediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.observability.audit import AuditRecord
from vvtv.observability.audit import append_audit
from vvtv.store import Database
from vvtv.store.rows import from_row

_DECODE_ITEM = msgspec.json.Decoder(MediaItem)
_DECODE_CARD = msgspec.json.Decoder(OwnerCard)
_DECODE_DIFF = msgspec.json.Decoder(list[FieldChange])


class StoredPolicy(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    card: OwnerCard
    author: str
    created_at: datetime
    diff: list[FieldChange]


class Rejection(msgspec.Struct, frozen=True, kw_only=True):
    item_id: str
    reason: str
    detail: str


class LabStore(Protocol):
    async def add_item(self, item: MediaItem, added_at: datetime, audit: AuditRecord) -> bool:
        """False (and nothing written) when an item with that id exists."""
        ...

    async def items(self) -> list[MediaItem]: ...

    async def remove_item(self, item_id: str, audit: AuditRecord) -> bool:
        """False (and nothing written) when there is no such item."""
        ...

    async def policies(self) -> list[StoredPolicy]: ...

    async def add_policy(self, policy: StoredPolicy, audit: AuditRecord) -> None: ...

    async def record_loudness(
        self, prepared_id: str, item_id: str, target_lufs: float, measurement: str, at: datetime
    ) -> None: ...

    async def record_rejection(self, rejection: Rejection, at: datetime) -> None: ...

    async def rejections(self) -> list[Rejection]: ...


class SqliteLabStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def _change_one(self, sql: str, params: tuple[object, ...], audit: AuditRecord) -> bool:
        """Run a statement that changes one row or none; audit it, in the same transaction, only
        when it did."""

        def change(db: sqlite3.Connection) -> bool:
            if db.execute(sql, params).rowcount != 1:
                return False
            append_audit(db, audit)
            return True

        return await self._db.write(change)

    async def add_item(self, item: MediaItem, added_at: datetime, audit: AuditRecord) -> bool:
        return await self._change_one(
            "INSERT OR IGNORE INTO catalog_items (id, item, added_at) VALUES (?, ?, ?)",
            (item.id, msgspec.json.encode(item).decode(), added_at.isoformat()),
            audit,
        )

    async def items(self) -> list[MediaItem]:
        def select(db: sqlite3.Connection) -> list[MediaItem]:
            rows = db.execute("SELECT item FROM catalog_items ORDER BY id")
            return [_DECODE_ITEM.decode(row["item"]) for row in rows]

        return await self._db.read(select)

    async def remove_item(self, item_id: str, audit: AuditRecord) -> bool:
        return await self._change_one("DELETE FROM catalog_items WHERE id = ?", (item_id,), audit)

    async def policies(self) -> list[StoredPolicy]:
        def select(db: sqlite3.Connection) -> list[StoredPolicy]:
            rows = db.execute(
                "SELECT version, card, author, created_at, diff FROM policy_versions"
                " ORDER BY version"
            )
            return [
                from_row(
                    StoredPolicy,
                    row,
                    card=_DECODE_CARD.decode(row["card"]),
                    diff=_DECODE_DIFF.decode(row["diff"]),
                )
                for row in rows
            ]

        return await self._db.read(select)

    async def add_policy(self, policy: StoredPolicy, audit: AuditRecord) -> None:
        card = msgspec.json.encode(policy.card).decode()
        diff = msgspec.json.encode(policy.diff).decode()

        def insert(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO policy_versions (version, card, author, created_at, diff)"
                " VALUES (?, ?, ?, ?, ?)",
                (policy.version, card, policy.author, policy.created_at.isoformat(), diff),
            )
            append_audit(db, audit)

        await self._db.write(insert)

    async def record_loudness(
        self, prepared_id: str, item_id: str, target_lufs: float, measurement: str, at: datetime
    ) -> None:
        def upsert(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO prepared_loudness"
                " (prepared_id, item_id, target_lufs, measurement, measured_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (prepared_id, item_id, target_lufs, measurement, at.isoformat()),
            )

        await self._db.write(upsert)

    async def record_rejection(self, rejection: Rejection, at: datetime) -> None:
        def insert(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO qa_rejections (item_id, reason, detail, at) VALUES (?, ?, ?, ?)",
                (rejection.item_id, rejection.reason, rejection.detail, at.isoformat()),
            )

        await self._db.write(insert)

    async def rejections(self) -> list[Rejection]:
        def select(db: sqlite3.Connection) -> list[Rejection]:
            rows = db.execute("SELECT item_id, reason, detail FROM qa_rejections ORDER BY id")
            return [
                Rejection(item_id=row["item_id"], reason=row["reason"], detail=row["detail"])
                for row in rows
            ]

        return await self._db.read(select)
