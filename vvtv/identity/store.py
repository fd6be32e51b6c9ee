"""The identity store: a Protocol, and its SQLite adapter on the embedded database."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from vvtv.domain.accounts import BanTerm
from vvtv.identity.records import AuthSessionRecord
from vvtv.identity.records import BlockRecord
from vvtv.identity.records import UserRecord
from vvtv.observability.audit import AuditRecord
from vvtv.observability.audit import append_audit
from vvtv.store import Database
from vvtv.store.rows import from_row
from vvtv.store.rows import iso

# What moderation may change (the record's fields); the rest of a row is written once, at sign-up.
_MUTABLE_FIELDS = frozenset({"role", "ban", "shadow_quarantine", "quarantined_until"})


class DuplicateHandle(Exception):
    """The handle is someone's already (compared case-insensitively)."""


class AccountStore(Protocol):
    async def create_user(self, user: UserRecord, audit: AuditRecord | None = None) -> None: ...
    async def user_by_id(self, user_id: str) -> UserRecord | None: ...
    async def user_by_handle(self, handle: str) -> UserRecord | None: ...
    async def all_users(self) -> list[UserRecord]: ...
    async def update_account(
        self, user_id: str, changes: Mapping[str, object], audit: AuditRecord
    ) -> None: ...
    async def create_auth_session(self, session: AuthSessionRecord) -> None: ...
    async def auth_session_by_refresh(self, refresh_hash: str) -> AuthSessionRecord | None: ...
    async def rotate_refresh(self, session_id: str, old_hash: str, new_hash: str) -> bool: ...
    async def revoke_auth_sessions(
        self, user_id: str, now: datetime, only: str | None = None
    ) -> list[str]: ...
    async def revoked_auth_session_ids(self, since: datetime) -> set[str]: ...
    async def known_devices(self, since: datetime) -> list[tuple[str, str, datetime]]: ...
    async def add_block(self, block: BlockRecord) -> bool: ...
    async def remove_block(self, blocker_id: str, blocked_id: str) -> bool: ...
    async def all_blocks(self) -> list[BlockRecord]: ...
    async def blocks_by(self, blocker_id: str) -> list[BlockRecord]: ...


def _user(row: sqlite3.Row) -> UserRecord:
    until = row["banned_until"]
    return from_row(
        UserRecord, row, ban=None if until is None else BanTerm(until, row["ban_reason"])
    )


def _ban_columns(ban: BanTerm | None) -> dict[str, object]:
    """A ban is two columns, both NULL when there is none."""
    return {
        "banned_until": None if ban is None else ban.until,
        "ban_reason": None if ban is None else ban.reason,
    }


def _columns(field: str, value: object) -> dict[str, object]:
    """A field moderation changes, as the columns that hold it."""
    if field == "ban":
        assert value is None or isinstance(value, BanTerm)
        return _ban_columns(value)
    return {field: int(value) if isinstance(value, bool) else value}


def _session(row: sqlite3.Row) -> AuthSessionRecord:
    return from_row(AuthSessionRecord, row)


def _blocks(rows: sqlite3.Cursor) -> list[BlockRecord]:
    return [from_row(BlockRecord, row) for row in rows]


class SqliteAccountStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create_user(self, user: UserRecord, audit: AuditRecord | None = None) -> None:
        def insert(db: sqlite3.Connection) -> None:
            try:
                db.execute(
                    "INSERT INTO users (id, handle, password_hash, role, created_at,"
                    " age_confirmed_at, terms_version, banned_until, ban_reason,"
                    " shadow_quarantine, reputation) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        user.id, user.handle, user.password_hash, user.role,
                        iso(user.created_at), iso(user.age_confirmed_at), user.terms_version,
                        *_ban_columns(user.ban).values(), int(user.shadow_quarantine),
                        user.reputation,
                    ),
                )  # fmt: skip
            except sqlite3.IntegrityError as error:
                raise DuplicateHandle(user.handle) from error
            if audit is not None:
                append_audit(db, audit)

        await self._db.write(insert)

    async def user_by_id(self, user_id: str) -> UserRecord | None:
        def select(db: sqlite3.Connection) -> UserRecord | None:
            row = db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
            return None if row is None else _user(row)

        return await self._db.read(select)

    async def user_by_handle(self, handle: str) -> UserRecord | None:
        def select(db: sqlite3.Connection) -> UserRecord | None:
            row = db.execute("SELECT * FROM users WHERE handle = ?", (handle,)).fetchone()
            return None if row is None else _user(row)

        return await self._db.read(select)

    async def all_users(self) -> list[UserRecord]:
        def select(db: sqlite3.Connection) -> list[UserRecord]:
            return [_user(row) for row in db.execute("SELECT * FROM users")]

        return await self._db.read(select)

    async def update_account(
        self, user_id: str, changes: Mapping[str, object], audit: AuditRecord
    ) -> None:
        """Save only the `changes` (a record's field -> value) and the audit entry, in one
        transaction: a column nobody changed keeps what another writer put there."""
        unknown = set(changes) - _MUTABLE_FIELDS
        if unknown or not changes:
            raise ValueError(f"not mutable fields of users: {sorted(unknown) or 'none given'}")
        # Column names come from the fixed set above, never from a request.
        columns: dict[str, object] = {}
        for field, value in changes.items():
            columns.update(_columns(field, value))
        assignments = ", ".join(f"{column} = ?" for column in columns)
        values = list(columns.values())

        def update(db: sqlite3.Connection) -> None:
            db.execute(f"UPDATE users SET {assignments} WHERE id = ?", (*values, user_id))
            append_audit(db, audit)

        await self._db.write(update)

    async def create_auth_session(self, session: AuthSessionRecord) -> None:
        def insert(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO auth_sessions (id, user_id, device_id, refresh_hash, created_at,"
                " expires_at) VALUES (?,?,?,?,?,?)",
                (
                    session.id, session.user_id, session.device_id, session.refresh_hash,
                    iso(session.created_at), iso(session.expires_at),
                ),
            )  # fmt: skip

        await self._db.write(insert)

    async def auth_session_by_refresh(self, refresh_hash: str) -> AuthSessionRecord | None:
        def select(db: sqlite3.Connection) -> AuthSessionRecord | None:
            row = db.execute(
                "SELECT * FROM auth_sessions WHERE refresh_hash = ?", (refresh_hash,)
            ).fetchone()
            return None if row is None else _session(row)

        return await self._db.read(select)

    async def rotate_refresh(self, session_id: str, old_hash: str, new_hash: str) -> bool:
        """Swap the refresh token; False when `old_hash` was already used (a replay)."""

        def rotate(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE auth_sessions SET refresh_hash = ?"
                " WHERE id = ? AND refresh_hash = ? AND revoked_at IS NULL",
                (new_hash, session_id, old_hash),
            )
            return cursor.rowcount == 1

        return await self._db.write(rotate)

    async def revoke_auth_sessions(
        self, user_id: str, now: datetime, only: str | None = None
    ) -> list[str]:
        def revoke(db: sqlite3.Connection) -> list[str]:
            query = "SELECT id FROM auth_sessions WHERE user_id = ? AND revoked_at IS NULL"
            params: tuple[str, ...] = (user_id,)
            if only is not None:
                query += " AND id = ?"
                params += (only,)
            ids = [row["id"] for row in db.execute(query, params)]
            db.executemany(
                "UPDATE auth_sessions SET revoked_at = ? WHERE id = ?",
                [(iso(now), session_id) for session_id in ids],
            )
            return ids

        return await self._db.write(revoke)

    async def revoked_auth_session_ids(self, since: datetime) -> set[str]:
        def select(db: sqlite3.Connection) -> set[str]:
            rows = db.execute(
                "SELECT id FROM auth_sessions WHERE revoked_at IS NOT NULL AND expires_at > ?",
                (iso(since),),
            )
            return {row["id"] for row in rows}

        return await self._db.read(select)

    async def known_devices(self, since: datetime) -> list[tuple[str, str, datetime]]:
        """(handle, device id, until when) of every device with a sign-in not yet expired."""

        def select(db: sqlite3.Connection) -> list[tuple[str, str, datetime]]:
            rows = db.execute(
                "SELECT u.handle, s.device_id, MAX(s.expires_at) AS until"
                " FROM auth_sessions s JOIN users u ON u.id = s.user_id"
                " WHERE s.device_id IS NOT NULL AND s.expires_at > ?"
                " GROUP BY u.handle, s.device_id",
                (iso(since),),
            )
            return [
                (row["handle"], row["device_id"], datetime.fromisoformat(row["until"]))
                for row in rows
            ]

        return await self._db.read(select)

    async def add_block(self, block: BlockRecord) -> bool:
        def insert(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES (?,?,?)",
                (block.blocker_id, block.blocked_id, iso(block.created_at)),
            )
            return cursor.rowcount == 1

        return await self._db.write(insert)

    async def remove_block(self, blocker_id: str, blocked_id: str) -> bool:
        def delete(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?",
                (blocker_id, blocked_id),
            )
            return cursor.rowcount == 1

        return await self._db.write(delete)

    async def all_blocks(self) -> list[BlockRecord]:
        return await self._db.read(lambda db: _blocks(db.execute("SELECT * FROM blocks")))

    async def blocks_by(self, blocker_id: str) -> list[BlockRecord]:
        query = "SELECT * FROM blocks WHERE blocker_id = ? ORDER BY created_at"
        return await self._db.read(lambda db: _blocks(db.execute(query, (blocker_id,))))
