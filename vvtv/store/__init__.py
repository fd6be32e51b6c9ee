"""Persistence: the embedded SQLite database (WAL) and its migrations. Contexts keep their own
queries in their `store.py`, behind a Protocol, so another engine can replace SQLite."""

from vvtv.store.database import Database, SchemaTooNew, open_database

__all__ = ["Database", "SchemaTooNew", "open_database"]
