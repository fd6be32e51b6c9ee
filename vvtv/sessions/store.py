"""Session records: the `SessionStore` port, its SQLite adapter and an in-memory one for tests."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

import msgspec

from vvtv.actors import Batches
from vvtv.contracts.sessions import PolicySnapshot
from vvtv.contracts.sessions import SessionState
from vvtv.domain.sessions import HOLDING
from vvtv.domain.sessions import Session
from vvtv.observability.audit import AuditRecord
from vvtv.observability.audit import append_audit
from vvtv.store import Database
from vvtv.store.rows import from_row
from vvtv.store.rows import iso

UNFINISHED = ("creating", "active", "ending")


@dataclass(frozen=True, slots=True, order=True)
class ModeTally:
    """How many sessions of a mode are in an unfinished state, and their profiles' ceilings
    added up (each session's own profile, SES-12)."""

    mode: str
    state: SessionState
    sessions: int
    bitrate_kbps: int


class SessionStore(Protocol):
    async def save(self, session: Session, audit: AuditRecord | None = None) -> None:
        """Write the session (and its audit entry, in the same transaction) before returning."""
        ...

    async def get(self, session_id: str) -> Session | None: ...

    async def unfinished(self) -> list[Session]:
        """Sessions not yet `ended` or `failed`: what a dead process may have left behind."""
        ...

    async def tally(self) -> list[ModeTally]:
        """The unfinished sessions counted by mode and state, without reading each one: what a
        meter can ask every few seconds whatever the number of sessions."""
        ...

    async def held_by(self, user_id: str) -> dict[str, str]:
        """The sessions `user_id` takes part in that are in a `HOLDING` state: id -> mode."""
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

    async def tally(self) -> list[ModeTally]:
        counted: Counter[tuple[str, SessionState]] = Counter()
        kbps: Counter[tuple[str, SessionState]] = Counter()
        for session in await self.unfinished():
            counted[session.mode, session.state] += 1
            kbps[session.mode, session.state] += session.bitrate_kbps
        return [ModeTally(*key, counted[key], kbps[key]) for key in counted]

    async def held_by(self, user_id: str) -> dict[str, str]:
        return {
            s.id: s.mode
            for s in self.sessions.values()
            if s.state in HOLDING and user_id in s.participants
        }


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
        iso(session.created_at),
        iso(session.started_at),
        iso(session.ended_at),
        session.end_reason,
        session.bitrate_kbps,
        session.direction_factor,
        session.estimated_egress_bytes,
        session.ended_by,
    )


def _session(row: sqlite3.Row) -> Session:
    return from_row(
        Session,
        row,
        participants=tuple(json.loads(row["participants"])),
        policy=msgspec.json.decode(row["policy"], type=PolicySnapshot),
    )


Save = tuple[Session, AuditRecord | None]


class SqliteSessionStore:
    """Implements `SessionStore` on the process's database (table from 0002_sessions.sql, 0005).

    Saves are group-committed: those that arrive while one transaction is being written go
    together in the next, so a burst of sessions (each saved at every change of state) costs a
    few synced commits, not one each; every save still returns only after its own COMMIT, and a
    transaction that fails fails each save in it."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._saves: Batches[str, Save, None] = Batches(self._write)

    async def save(self, session: Session, audit: AuditRecord | None = None) -> None:
        await self._saves.submit("sessions", (session, audit))

    async def _write(self, _: str, saves: tuple[Save, ...]) -> list[None]:
        def write(db: sqlite3.Connection) -> None:
            # In arrival order: a session saved twice in one batch ends as its last save.
            for session, audit in saves:
                db.execute(_UPSERT, _row(session))
                # Participants never change: written with the first save, kept by the others.
                db.executemany(
                    "INSERT OR IGNORE INTO session_participants (user_id, session_id)"
                    " VALUES (?, ?)",
                    [(user_id, session.id) for user_id in session.participants],
                )
                if audit is not None:
                    append_audit(db, audit)

        await self._db.write(write)
        return [None] * len(saves)

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

    async def tally(self) -> list[ModeTally]:
        def read(db: sqlite3.Connection) -> list[ModeTally]:
            # The partial index on unfinished states finds them; no row is decoded.
            rows = db.execute(
                "SELECT mode, state, count(*), total(bitrate_kbps) FROM sessions"
                " WHERE state IN (?, ?, ?) GROUP BY mode, state",
                UNFINISHED,
            )
            return [ModeTally(mode, state, n, int(kbps)) for mode, state, n, kbps in rows]

        return await self._db.read(read)

    async def held_by(self, user_id: str) -> dict[str, str]:
        def read(db: sqlite3.Connection) -> dict[str, str]:
            rows = db.execute(
                "SELECT s.id, s.mode FROM session_participants p"
                " JOIN sessions s ON s.id = p.session_id"
                f" WHERE p.user_id = ? AND s.state IN ({', '.join('?' * len(HOLDING))})",
                (user_id, *HOLDING),
            )
            return dict(rows.fetchall())

        return await self._db.read(read)
