"""The report store on SQLite, and 0007's move of chat's reports into the one queue (MOD-1)."""

from __future__ import annotations

import sqlite3
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

from vvtv.config import build_runtime_config
from vvtv.domain.moderation.reports import Claim
from vvtv.domain.moderation.reports import Decide
from vvtv.domain.moderation.reports import Place
from vvtv.domain.moderation.reports import Report
from vvtv.domain.moderation.reports import decide
from vvtv.moderation.store import QueueFilter
from vvtv.moderation.store import SqliteReportStore
from vvtv.observability.audit import AuditRecord
from vvtv.store import open_database
from vvtv.store.database import SchemaTooNew
from vvtv.store.migrations import apply_migrations
from vvtv.store.migrations import migrations

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
STORE = msgspec.structs.asdict(
    build_runtime_config(Path(__file__).resolve().parents[3] / "config").limits.runtime.store
)


@pytest.mark.req("MOD-5")
async def test_a_claim_and_a_decision_are_read_back_whole(tmp_path: Path) -> None:
    """Each is written to its columns and read back as it was: who, when (and what)."""
    async with open_database(tmp_path / "db.sqlite3", **STORE) as db:
        store = SqliteReportStore(db)
        new = Report(
            id=0, created_at=AT, reporter_id="ana", target_id="bob", reason_code="spam",
            place=Place("chat", thread_id="t1", message_ids=("m1",)),
        )  # fmt: skip
        filed = AuditRecord(at=AT, actor_id="ana", action="report.filed", target_id="bob")
        report_id = await store.file(new, filed)
        report = await store.get(report_id)
        assert report is not None
        assert (report.place, report.status, report.claim, report.decision) == (
            new.place,
            "open",
            None,
            None,
        )
        claim = Claim("moira", AT + timedelta(minutes=1))
        decision = Decide("moira", "warn", AT + timedelta(minutes=2))
        for message in (claim, decision):
            changed, _ = decide(report, message)
            assert changed is not None
            await store.save(changed)
            report = await store.get(report_id)
            assert report == changed
        assert (report.status, report.claim, report.decision) == ("decided", claim, decision)
        listed = await store.queue(QueueFilter(status="decided"), 0, 10)
        assert [(r.id, r.claim, r.decision) for r in listed] == [(report_id, claim, decision)]


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
