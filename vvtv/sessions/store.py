"""Session records: the `SessionStore` port, its SQLite adapter and an in-memory one for tests."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Protocol

import msgspec

from vvtv.contracts.sessions import PolicySnapshot
from vvtv.domain.sessions import Session
from vvtv.observability.audit import AuditRecord, append_audit
from vvtv.store import Database

UNFINISHED = ("creating", "active", "ending")


class SessionStore(Protocol):
    async def save(self, session: Session, audit: AuditRecord | None = None) -> None:
        """Write the session (and its audit entry, in the same transaction) before returning."""
        ...

    async def get(self, session_id: str) -> Session | None: ...

    async def unfinished(self) -> list[Session]:
        """Sessions not yet `ended` or `failed`: what a dead process may have left behind."""
        ...


class MemorySessionStore:
    """Implements `SessionStore` without IO: for actor tests on trio's MockClock, where a worker
    thread (SQLite) would let the clock jump past heartbeat deadlines while a write is pending."""

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self.audit: list[AuditRecord] = []

    async def save(self, session: Session, audit: AuditRecord | None = None) -> None:
        self.sessions[session.id] = session
        if audit is not None:
            self.audit.append(audit)

    async def get(self, session_id: str) -> Session | None:
        return self.sessions.get(session_id)

    async def unfinished(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.state in UNFINISHED]


_COLUMNS = (
    "id, mode, ecosystem, audience_type, stream_transport, intent_label, media_profile, webrtc,"
    " participants, policy, parent_session_id, state, created_at, started_at, ended_at,"
    " end_reason, bitrate_kbps, direction_factor, estimated_egress_bytes, ended_by"
)
_UPSERT = (
    f"INSERT INTO sessions ({_COLUMNS}) VALUES ({', '.join('?' * 20)})"
    " ON CONFLICT (id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,"
    " ended_at = excluded.ended_at, end_reason = excluded.end_reason,"
    " estimated_egress_bytes = excluded.estimated_egress_bytes, ended_by = excluded.ended_by"
)


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _row(session: Session) -> tuple[object, ...]:
    return (
        session.id,
        session.mode,
        session.ecosystem,
        session.audience_type,
        session.stream_transport,
        session.intent_label,
        session.media_profile,
        int(session.webrtc),
        json.dumps(list(session.participants)),
        msgspec.json.encode(session.policy).decode(),
        session.parent_session_id,
        session.state,
        _time(session.created_at),
        _time(session.started_at),
        _time(session.ended_at),
        session.end_reason,
        session.bitrate_kbps,
        session.direction_factor,
        session.estimated_egress_bytes,
        session.ended_by,
    )


def _session(row: sqlite3.Row) -> Session:
    created_at = _parse_time(row["created_at"])
    assert created_at is not None  # NOT NULL in the schema
    return Session(
        id=row["id"],
        mode=row["mode"],
        ecosystem=row["ecosystem"],
        audience_type=row["audience_type"],
        stream_transport=row["stream_transport"],
        intent_label=row["intent_label"],
        media_profile=row["media_profile"],
        webrtc=bool(row["webrtc"]),
        participants=tuple(json.loads(row["participants"])),
        policy=msgspec.json.decode(row["policy"], type=PolicySnapshot),
        parent_session_id=row["parent_session_id"],
        state=row["state"],
        created_at=created_at,
        started_at=_parse_time(row["started_at"]),
        ended_at=_parse_time(row["ended_at"]),
        end_reason=row["end_reason"],
        bitrate_kbps=row["bitrate_kbps"],
        direction_factor=row["direction_factor"],
        estimated_egress_bytes=row["estimated_egress_bytes"],
        ended_by=row["ended_by"],
    )


class SqliteSessionStore:
    """Implements `SessionStore` on the process's database (table from 0002_sessions.sql, 0005)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def save(self, session: Session, audit: AuditRecord | None = None) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(_UPSERT, _row(session))
            if audit is not None:
                append_audit(db, audit)

        await self._db.write(write)

    async def get(self, session_id: str) -> Session | None:
        def read(db: sqlite3.Connection) -> Session | None:
            row = db.execute(f"SELECT {_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
            found = row.fetchone()
            return None if found is None else _session(found)

        return await self._db.read(read)

    async def unfinished(self) -> list[Session]:
        def read(db: sqlite3.Connection) -> list[Session]:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM sessions WHERE state IN (?, ?, ?) ORDER BY created_at",
                UNFINISHED,
            )
            return [_session(row) for row in rows]

        return await self._db.read(read)
