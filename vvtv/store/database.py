"""One SQLite file, opened in WAL mode; blocking calls never run on the trio loop.

Writes go through ONE connection in its own worker thread, one transaction at a time, and return
only after COMMIT: anything acknowledged to a user is durable (synchronous=FULL). Reads use a
small pool of connections, also in worker threads, so they never wait behind a write (WAL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import msgspec
import trio

from vvtv.store.migrations import apply_migrations

T = TypeVar("T")

DATABASE_FILE = "vvtv.sqlite3"  # in the data folder, for `vvtv serve` and the standalone channel


class SchemaTooNew(RuntimeError):
    """The database was written by a newer vvtv than this one; refusing to touch it."""


class DatabaseStatistics(msgspec.Struct, frozen=True, kw_only=True):
    writes_total: int
    reads_total: int
    write_seconds_total: float
    schema_version: int


def _connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    return connection


class Database:
    def __init__(self, path: Path, writer: sqlite3.Connection, readers: list[sqlite3.Connection]):
        self.path = path
        self._writer = writer
        self._write_lock = trio.CapacityLimiter(1)
        pool = trio.open_memory_channel[sqlite3.Connection](len(readers))
        self._idle_readers_send, self._idle_readers = pool
        self._readers = readers
        for reader in readers:
            self._idle_readers_send.send_nowait(reader)
        self._writes = 0
        self._reads = 0
        self._write_seconds = 0.0
        self.schema_version = 0

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in one IMMEDIATE transaction; return after COMMIT, or raise after ROLLBACK."""

        def transaction() -> T:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._writer)
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")
            return result

        started = trio.current_time()
        result = await trio.to_thread.run_sync(transaction, limiter=self._write_lock)
        self._writes += 1
        self._write_seconds += trio.current_time() - started
        return result

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        connection = await self._idle_readers.receive()
        try:
            return await trio.to_thread.run_sync(work, connection, abandon_on_cancel=False)
        finally:
            self._reads += 1
            self._idle_readers_send.send_nowait(connection)

    def statistics(self) -> DatabaseStatistics:
        return DatabaseStatistics(
            writes_total=self._writes,
            reads_total=self._reads,
            write_seconds_total=self._write_seconds,
            schema_version=self.schema_version,
        )

    def close(self) -> None:
        for connection in [self._writer, *self._readers]:
            connection.close()


@asynccontextmanager
async def open_database(
    path: Path, *, readers: int, busy_timeout_ms: int
) -> AsyncIterator[Database]:
    """Open (creating if needed) and migrate the database at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def open_all() -> tuple[sqlite3.Connection, list[sqlite3.Connection], int]:
        writer = _connect(path, busy_timeout_ms)
        version = apply_migrations(writer, too_new=SchemaTooNew)
        return writer, [_connect(path, busy_timeout_ms) for _ in range(readers)], version

    writer, pool, version = await trio.to_thread.run_sync(open_all)
    database = Database(path, writer, pool)
    database.schema_version = version
    try:
        yield database
    finally:
        database.close()
