"""Moderation records: the `ReportStore` port and its SQLite adapter (0007_moderation.sql, 0010's
frame check reports). Each
write that is a decision goes with its audit entry in one transaction (TEL-6)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from vvtv.contracts.moderation import WarningView
from vvtv.domain.moderation.reports import Claim
from vvtv.domain.moderation.reports import Decide
from vvtv.domain.moderation.reports import Place
from vvtv.domain.moderation.reports import Report
from vvtv.domain.moderation.reports import Still
from vvtv.observability.audit import AuditRecord
from vvtv.observability.audit import insert_audited
from vvtv.store import Database
from vvtv.store.rows import from_row


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueFilter:
    """Which reports a queue read shows: None for a field is any."""

    status: str | None = None
    reason_code: str | None = None
    context: str | None = None
    source: str | None = None
    target_id: str | None = None


class ReportStore(Protocol):
    async def file(self, report: Report, audit: AuditRecord) -> int:
        """Store the new report with its audit entry; returns its id."""
        ...

    async def get(self, report_id: int) -> Report | None: ...

    async def save(self, report: Report) -> None:
        """Write a report's claim and decision columns."""
        ...

    async def queue(self, which: QueueFilter, after_id: int, limit: int) -> list[Report]:
        """Up to `limit` reports after `after_id`, oldest first."""
        ...

    async def waiting(self, target_id: str | None = None) -> int:
        """Reports open or claimed (of one account, or in all)."""
        ...

    async def attach_still(self, report_id: int, still: Still) -> None:
        """The frame checks' hook: the reported stream's last sampled still, for review only."""
        ...

    async def drop_expired_stills(self, now: datetime) -> int: ...

    async def warn(self, user_id: str, reason: str, at: datetime) -> int: ...

    async def warnings(self, user_id: str) -> list[WarningView]:
        """A user's warnings not yet seen, oldest first."""
        ...

    async def seen(self, user_id: str, warning_id: int, at: datetime) -> bool:
        """Mark one of `user_id`'s warnings seen; False if it is not theirs (or unknown)."""
        ...


_OPEN = ("open", "claimed")


def _report(row: sqlite3.Row, *, with_still: bool) -> Report:
    claim = decision = still = None
    if row["claimed_by"] is not None:
        claim = Claim(row["claimed_by"], datetime.fromisoformat(row["claimed_at"]))
    if row["decided_by"] is not None:
        at = datetime.fromisoformat(row["decided_at"])
        decision = Decide(row["decided_by"], row["decision"], at)
    if row["still_id"] is not None:
        # A list names the still and its expiry; only one report read carries its bytes.
        jpeg = bytes(row["still"]) if with_still else b""
        still = Still(row["still_id"], jpeg, datetime.fromisoformat(row["still_expires_at"]))
    place = from_row(Place, row, message_ids=tuple(json.loads(row["message_ids"])))
    return from_row(
        Report,
        row,
        place=place,
        claim=claim,
        decision=decision,
        still=still,
    )


# The queue lists reports without their stills' bytes (a page of JPEGs is not a list).
_LISTED = (
    "id, created_at, reporter_id, target_id, context, reason_code, session_id, thread_id,"
    " mode_id, message_ids, status, claimed_by, claimed_at, decided_by, decided_at, decision,"
    " still_id, still_expires_at, source, score"
)

_FILE = (
    "INSERT INTO reports (created_at, reporter_id, target_id, context, reason_code, session_id,"
    " thread_id, mode_id, message_ids, source, score) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
)


class SqliteReportStore:
    """Implements `ReportStore` on the shared database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def file(self, report: Report, audit: AuditRecord) -> int:
        place = report.place
        row = (
            report.created_at.isoformat(),
            report.reporter_id,
            report.target_id,
            place.context,
            report.reason_code,
            place.session_id,
            place.thread_id,
            place.mode_id,
            json.dumps(list(place.message_ids)),
            report.source,
            report.score,
        )
        return await self._db.write(
            lambda db: insert_audited(db, _FILE, row, audit, named="report_id")
        )

    async def get(self, report_id: int) -> Report | None:
        def read(db: sqlite3.Connection) -> Report | None:
            row = db.execute("SELECT * FROM reports WHERE id = ?", (report_id,)).fetchone()
            return None if row is None else _report(row, with_still=True)

        return await self._db.read(read)

    async def save(self, report: Report) -> None:
        claim, decision = report.claim, report.decision
        claimed = (None, None) if claim is None else (claim.moderator_id, claim.at.isoformat())
        decided = (
            (None, None, None)
            if decision is None
            else (decision.moderator_id, decision.at.isoformat(), decision.action)
        )

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE reports SET status = ?, claimed_by = ?, claimed_at = ?, decided_by = ?,"
                " decided_at = ?, decision = ? WHERE id = ?",
                (report.status, *claimed, *decided, report.id),
            )

        await self._db.write(write)

    async def queue(self, which: QueueFilter, after_id: int, limit: int) -> list[Report]:
        clauses: list[str] = ["id > ?"]
        values: list[int | str] = [after_id]
        for column, value in (
            ("status", which.status),
            ("reason_code", which.reason_code),
            ("context", which.context),
            ("source", which.source),
            ("target_id", which.target_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                values.append(value)
        sql = f"SELECT {_LISTED} FROM reports WHERE {' AND '.join(clauses)} ORDER BY id LIMIT ?"

        def read(db: sqlite3.Connection) -> list[Report]:
            return [_report(row, with_still=False) for row in db.execute(sql, (*values, limit))]

        return await self._db.read(read)

    async def waiting(self, target_id: str | None = None) -> int:
        def read(db: sqlite3.Connection) -> int:
            if target_id is None:
                row = db.execute(
                    "SELECT COUNT(*) FROM reports WHERE status IN (?, ?)", _OPEN
                ).fetchone()
            else:
                row = db.execute(
                    "SELECT COUNT(*) FROM reports WHERE target_id = ? AND status IN (?, ?)",
                    (target_id, *_OPEN),
                ).fetchone()
            return int(row[0])

        return await self._db.read(read)

    async def attach_still(self, report_id: int, still: Still) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE reports SET still_id = ?, still = ?, still_expires_at = ? WHERE id = ?",
                (still.still_id, still.jpeg, still.expires_at.isoformat(), report_id),
            )

        await self._db.write(write)

    async def drop_expired_stills(self, now: datetime) -> int:
        def write(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "UPDATE reports SET still_id = NULL, still = NULL, still_expires_at = NULL"
                " WHERE still_expires_at IS NOT NULL AND still_expires_at <= ?",
                (now.isoformat(),),
            )
            return cursor.rowcount

        return await self._db.write(write)

    async def warn(self, user_id: str, reason: str, at: datetime) -> int:
        def write(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO warnings (user_id, reason, at) VALUES (?, ?, ?)",
                (user_id, reason, at.isoformat()),
            )
            return int(cursor.lastrowid or 0)

        return await self._db.write(write)

    async def warnings(self, user_id: str) -> list[WarningView]:
        def read(db: sqlite3.Connection) -> list[WarningView]:
            rows = db.execute(
                "SELECT id, reason, at FROM warnings WHERE user_id = ? AND seen_at IS NULL"
                " ORDER BY id",
                (user_id,),
            )
            return [from_row(WarningView, row) for row in rows]

        return await self._db.read(read)

    async def seen(self, user_id: str, warning_id: int, at: datetime) -> bool:
        def write(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE warnings SET seen_at = COALESCE(seen_at, ?) WHERE id = ? AND user_id = ?",
                (at.isoformat(), warning_id, user_id),
            )
            return cursor.rowcount == 1

        return await self._db.write(write)
