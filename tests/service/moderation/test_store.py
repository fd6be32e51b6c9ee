"""The report store on SQLite, and 0007's move of chat's reports into the one queue (MOD-1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from vvtv.store.database import SchemaTooNew
from vvtv.store.migrations import apply_migrations, migrations


@pytest.mark.req("MOD-1")
def test_chat_reports_join_the_one_queue_with_their_target(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.sqlite3")
    db.row_factory = sqlite3.Row
    for version, _, sql in migrations()[:6]:  # a database as the last release left it
        db.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
    at = "2026-12-01T12:00:00+00:00"
    db.executescript(f"""
        INSERT INTO chat_threads VALUES ('p1', 'private_1to1', 'ana:bob', 1, '{at}');
        INSERT INTO chat_participants VALUES ('p1', 'ana', '{at}'), ('p1', 'bob', '{at}');
        INSERT INTO chat_threads VALUES ('r1', 'room', 'party', 1, '{at}');
        INSERT INTO chat_messages VALUES ('r1', 1, 'm1', 'cid', 'rude', NULL, '{at}');
        INSERT INTO chat_reports (thread_id, reporter_id, reason_code, session_id, mode_id,
                                  message_ids, created_at)
        VALUES ('p1', 'ana', 'spam', NULL, 'party', '[]', '{at}'),
               ('r1', 'ana', 'hate', 's1', 'party', '["m1"]', '{at}'),
               ('r1', 'ana', 'other', NULL, 'party', '[]', '{at}');
    """)  # fmt: skip
    apply_migrations(db, too_new=SchemaTooNew)
    rows = db.execute(
        "SELECT reporter_id, target_id, context, reason_code, thread_id, message_ids, status"
        " FROM reports ORDER BY id"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("ana", "bob", "chat", "spam", "p1", "[]", "open"),  # the other member of the pair
        ("ana", "cid", "chat", "hate", "r1", '["m1"]', "open"),  # the reported message's author
    ]  # a room report that named no message had no one to report: it is not carried over
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "chat_reports" not in tables
