"""The media catalog: items the planner may schedule, kept in the lab store."""

from __future__ import annotations

import hashlib
import re
import sqlite3

import msgspec

from vvtv.clock import WallClock
from vvtv.contracts.lab import MediaItem, NewMediaItem
from vvtv.errors import BadRequest, Conflict, NotFound
from vvtv.lab.store import LabStore

_DECODE_ITEM = msgspec.json.Decoder(MediaItem)


def derive_id(source: str) -> str:
    """A readable, stable id from a source: its file stem plus a short hash of the whole source."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", source.rstrip("/").rsplit("/", 1)[-1]).strip("-.")
    digest = hashlib.sha256(source.encode()).hexdigest()[:8]
    return f"{(stem or 'item')[:40]}-{digest}"


def new_item(body: NewMediaItem) -> MediaItem:
    if body.rights_from and body.rights_until and body.rights_until <= body.rights_from:
        raise BadRequest("rights_until must be after rights_from", path="$.rights_until")
    return MediaItem(
        id=body.id or derive_id(body.source),
        source=body.source,
        duration_s=body.duration_s,
        tags=tuple(sorted(set(body.tags))),
        rights_from=body.rights_from,
        rights_until=body.rights_until,
    )


class Catalog:
    def __init__(self, store: LabStore, clock: WallClock) -> None:
        self._store = store
        self._clock = clock

    async def add(self, body: NewMediaItem) -> MediaItem:
        item = new_item(body)
        encoded = msgspec.json.encode(item).decode()
        now = self._clock().timestamp()

        def insert(connection: sqlite3.Connection) -> bool:
            cursor = connection.execute(
                "INSERT OR IGNORE INTO catalog_items (id, item, added_at) VALUES (?, ?, ?)",
                (item.id, encoded, now),
            )
            return cursor.rowcount == 1

        if not await self._store.write(insert):
            raise Conflict(f"catalog item {item.id} exists", code="item_exists", path="$.id")
        return item

    async def items(self) -> list[MediaItem]:
        def select(connection: sqlite3.Connection) -> list[tuple[str]]:
            return connection.execute("SELECT item FROM catalog_items ORDER BY id").fetchall()

        return [_DECODE_ITEM.decode(row[0]) for row in await self._store.run(select)]

    async def remove(self, item_id: str) -> None:
        def delete(connection: sqlite3.Connection) -> int:
            return connection.execute("DELETE FROM catalog_items WHERE id = ?", (item_id,)).rowcount

        if not await self._store.write(delete):
            raise NotFound(f"no catalog item {item_id}")
