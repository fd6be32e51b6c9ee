"""The report store on SQLite, and 0007's move of chat's reports into the one queue (MOD-1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from vvtv.store.database import SchemaTooNew
from vvtv.store.migrations import apply_migrations
from vvtv.store.migrations import migrations


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


@pytest.mark.req("MOD-1")
def test_reports_filed_before_frame_check_reports_stay_persons_reports(tmp_path: Path) -> None:
    """0010 lets a frame check's report name no reporter: the reports there
    keep their ids, rows and still, as persons' reports; the next id follows on; a report is a
    person's (with its reporter) or a frame check's (with its score), never half of each."""
    db = sqlite3.connect(tmp_path / "old.sqlite3")
    for version, _, sql in migrations()[:9]:  # a database as the release before this one left it
        db.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
    at = "2026-12-01T12:00:00+00:00"
    db.executescript(f"""
        INSERT INTO reports (id, created_at, reporter_id, target_id, context, reason_code,
                             session_id, still_id, still, still_expires_at)
        VALUES (41, '{at}', 'ana', 'bob', 'random', 'harassment', 's1', 'k1', x'ffd8', '{at}');
    """)  # fmt: skip
    apply_migrations(db, too_new=SchemaTooNew)
    row = db.execute(
        "SELECT id, reporter_id, target_id, context, still_id, still, source, score FROM reports"
    ).fetchone()
    assert row == (41, "ana", "bob", "random", "k1", b"\xff\xd8", "person", None)
    db.execute(
        "INSERT INTO reports (created_at, target_id, context, reason_code, source, score)"
        " VALUES (?, 'bob', 'tile', 'sexual_content', 'frame_check', 0.93)",
        (at,),
    )
    assert db.execute("SELECT MAX(id) FROM reports").fetchone() == (42,)
    for reporter, source, score in (
        (None, "person", None),  # a person's report names its reporter
        ("ana", "frame_check", 0.9),  # a frame check's names no one
        (None, "frame_check", None),  # and gives its score
    ):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(
                "INSERT INTO reports (created_at, reporter_id, target_id, context, reason_code,"
                " source, score) VALUES (?, ?, 'bob', 'tile', 'spam', ?, ?)",
                (at, reporter, source, score),
            )
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"reports_queue", "reports_target", "reports_stills"} <= indexes
