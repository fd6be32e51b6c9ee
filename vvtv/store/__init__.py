"""Persistence: the embedded SQLite database (WAL) and its migrations. Contexts keep their own
queries in their `store.py`, behind a Protocol, so another engine can replace SQLite."""

from vvtv.store.database import DATABASE_FILE
from vvtv.store.database import Database
from vvtv.store.database import SchemaTooNew
from vvtv.store.database import open_database

__all__ = ["DATABASE_FILE", "Database", "SchemaTooNew", "open_database"]
