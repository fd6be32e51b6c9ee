"""The lab store's schema, as numbered migrations applied in order (PRAGMA user_version).

Append only: a shipped migration is never edited; a change is a new number.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE catalog_items (
            id TEXT PRIMARY KEY,
            item TEXT NOT NULL,            -- the MediaItem as JSON
            added_at REAL NOT NULL
        );
        CREATE TABLE policy_versions (
            version INTEGER PRIMARY KEY,
            card TEXT NOT NULL,            -- the OwnerCard as JSON
            author TEXT NOT NULL,
            created_at REAL NOT NULL,
            diff TEXT NOT NULL             -- list of FieldChange as JSON
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            result TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE TABLE loudness (
            prepared_id TEXT PRIMARY KEY,
            item_id TEXT NOT NULL,
            target_lufs REAL NOT NULL,
            measurement TEXT NOT NULL,     -- ffmpeg loudnorm's first-pass JSON
            measured_at REAL NOT NULL
        );
        CREATE TABLE rejections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            item_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL,
            at REAL NOT NULL
        );
        """,
    ),
)
