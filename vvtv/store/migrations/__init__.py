"""Versioned SQL migrations: `NNNN_name.sql`, applied in order at start; `PRAGMA user_version`
records the last one applied. A file newer than the code is refused, never downgraded."""

from __future__ import annotations

import re
import sqlite3
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every shipped migration, in order."""
    found = []
    for entry in resources.files(__package__).iterdir():
        if match := _NAME.match(entry.name):
            found.append((int(match.group(1)), entry.name, entry.read_text()))
    found.sort()
    versions = [version for version, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


def apply_migrations(connection: sqlite3.Connection, *, too_new: type[Exception]) -> int:
    """Bring the database to the latest version; returns it."""
    shipped = migrations()
    latest = len(shipped)
    current: int = connection.execute("PRAGMA user_version").fetchone()[0]
    if current > latest:
        raise too_new(
            f"the database is at schema version {current}, but this vvtv knows only up to {latest};"
            " run a newer vvtv or restore a backup"
        )
    for version, _name, sql in shipped[current:]:
        # executescript commits first; the migration's own BEGIN/COMMIT makes it atomic.
        connection.executescript(
            f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
        )
    return latest
