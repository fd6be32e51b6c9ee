"""The agent's own SQLite store (WAL), so it also runs standalone on a LAB machine.

Every call runs in a worker thread (`trio.to_thread`), one at a time, never on the event loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import trio

from vvtv.lab.migrations import MIGRATIONS

T = TypeVar("T")


class LabStore:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        # One connection, one thread at a time: SQLite serialises writers anyway, and this keeps
        # each transaction whole without locks of our own.
        self._limiter = trio.CapacityLimiter(1)

    @classmethod
    async def open(cls, path: Path) -> LabStore:
        def connect() -> sqlite3.Connection:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA foreign_keys=ON")
            migrate(connection)
            return connection

        return cls(await trio.to_thread.run_sync(connect))

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(connection)` in a worker thread; it opens its own transaction if it writes."""
        return await trio.to_thread.run_sync(work, self._connection, limiter=self._limiter)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in one transaction: committed before this returns, rolled back on error."""

        def transaction(connection: sqlite3.Connection) -> T:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return result

        return await self.run(transaction)

    def close(self) -> None:
        self._connection.close()


def schema_version(connection: sqlite3.Connection) -> int:
    version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(connection: sqlite3.Connection) -> int:
    """Apply every migration newer than the database, each in its own transaction."""
    current = schema_version(connection)
    for number, sql in MIGRATIONS:
        if number <= current:
            continue
        connection.executescript(
            f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
        )
        current = number
    return current
