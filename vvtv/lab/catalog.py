"""The media catalog: items the planner may schedule, kept in the lab store."""

from __future__ import annotations

import hashlib
import re

from vvtv.clock import WallClock
from vvtv.contracts.lab import MediaItem
from vvtv.contracts.lab import NewMediaItem
from vvtv.errors import BadRequest
from vvtv.errors import Conflict
from vvtv.errors import NotFound
from vvtv.lab.store import LabStore
from vvtv.observability.audit import AuditRecord


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
    """Every change is audited (TEL-6: a curator decision) in the transaction that makes it;
    `who` is the user id, or None for the operator's shell."""

    def __init__(self, store: LabStore, clock: WallClock) -> None:
        self._store = store
        self._clock = clock

    async def add(self, body: NewMediaItem, who: str | None) -> MediaItem:
        item = new_item(body)
        now = self._clock()
        audit = AuditRecord(
            at=now, actor_id=who, action="lab.catalog.add", target_id=item.id,
            detail={"source": item.source, "tags": list(item.tags)},
        )  # fmt: skip
        if not await self._store.add_item(item, now, audit):
            raise Conflict(f"catalog item {item.id} exists", code="item_exists", path="$.id")
        return item

    async def items(self) -> list[MediaItem]:
        return await self._store.items()

    async def remove(self, item_id: str, who: str | None) -> None:
        audit = AuditRecord(
            at=self._clock(), actor_id=who, action="lab.catalog.remove", target_id=item_id
        )
        if not await self._store.remove_item(item_id, audit):
            raise NotFound(f"no catalog item {item_id}")
