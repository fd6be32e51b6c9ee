"""The channel's store, catalog and OwnerCard versions (POL-1/2) in the one database, on a real
SQLite file: vvtv's store class, pragmas, numbered migrations and newer-schema guard."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.small_lab import REPO
from tests.small_lab import open_lab
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle
from vvtv.config import build_runtime_config
from vvtv.contracts.lab import NewMediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.contracts.lab import TagQuota
from vvtv.domain.lab.policy import card_diff
from vvtv.errors import BadRequest
from vvtv.errors import Conflict
from vvtv.errors import NotFound
from vvtv.lab.catalog import Catalog
from vvtv.lab.cli import main as lab_main
from vvtv.lab.policy import PolicyService
from vvtv.lab.settings import LabSettings
from vvtv.lab.store import SqliteLabStore
from vvtv.observability.audit import AuditLog
from vvtv.runtime import open_store
from vvtv.store import DATABASE_FILE
from vvtv.store import Database
from vvtv.store import SchemaTooNew
from vvtv.store.migrations import migrations


@pytest.fixture(scope="module")
def config() -> ConfigBundle:
    return build_runtime_config(REPO / "config")


@pytest.fixture
async def database(config: ConfigBundle, tmp_path: Path) -> AsyncIterator[Database]:
    async with open_store(config, tmp_path) as opened:
        yield opened


async def test_the_lab_tables_are_migrations_of_the_one_database(database: Database) -> None:
    """The channel's tables come with vvtv's numbered migrations, in vvtv's WAL database."""

    def inspect(db: sqlite3.Connection) -> tuple[int, str, set[str]]:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return version, journal, tables

    version, journal, tables = await database.read(inspect)
    assert version == len(migrations())
    assert journal == "wal"
    assert {"catalog_items", "policy_versions", "prepared_loudness", "qa_rejections"} <= tables
    assert "audit" not in tables  # the lab's entries go to the one audit_log


def _from_a_newer_vvtv(data_dir: Path) -> None:
    with sqlite3.connect(data_dir / DATABASE_FILE) as connection:
        connection.execute(f"PRAGMA user_version = {len(migrations()) + 1}")


async def test_a_database_from_a_newer_vvtv_is_refused(
    config: ConfigBundle, tmp_path: Path
) -> None:
    """The newer-schema guard covers the channel's database: its store is vvtv's."""
    _from_a_newer_vvtv(tmp_path)
    with pytest.raises(SchemaTooNew):
        async with open_store(config, tmp_path):
            pass
    with sqlite3.connect(tmp_path / DATABASE_FILE) as connection:
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_vvtv_lab_refuses_a_database_from_a_newer_vvtv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`vvtv lab add|ls` says why and exits 1 rather than touch it."""
    _from_a_newer_vvtv(tmp_path)
    assert lab_main(["--data", str(tmp_path), "ls"]) == 1
    assert "schema version" in capsys.readouterr().err
    assert (
        lab_main(["--data", str(tmp_path), "add", "https://cdn.example/a.mp4", "--duration", "9"])
        == 1
    )


async def test_catalog_adds_lists_and_refuses_duplicates_each_change_audited(
    database: Database,
) -> None:
    clock = ManualClock()
    catalog = Catalog(SqliteLabStore(database), clock)
    added = await catalog.add(
        NewMediaItem(source="/media/Show One.mp4", duration_s=60, tags=("music", "kids", "music")),
        "curator-1",
    )
    assert added.id.startswith("Show-One.mp4-")
    assert added.tags == ("kids", "music")
    assert [i.id for i in await catalog.items()] == [added.id]
    with pytest.raises(Conflict):
        await catalog.add(NewMediaItem(source="/media/Show One.mp4", duration_s=60), None)
    await catalog.remove(added.id, None)
    with pytest.raises(NotFound):
        await catalog.remove(added.id, None)
    entries = await AuditLog(database).page(None, 10)
    assert [(e.action, e.actor_id, e.target_id) for e in entries] == [
        ("lab.catalog.remove", None, added.id),
        ("lab.catalog.add", "curator-1", added.id),
    ]  # the refused add and remove left no entry
    assert entries[0].at == clock()


@pytest.mark.req("POL-1", "POL-2")
async def test_every_policy_change_is_a_new_audited_version_with_its_diff(
    database: Database, settings: LabSettings
) -> None:
    """POL-1: versions only grow, each with author and diff, audited; POL-2: snapshots by
    version stay readable after later changes and after a restart."""
    store = SqliteLabStore(database)
    policy = PolicyService(store, lambda card: settings.ladder(card.ladder), ManualClock())
    await policy.load(OwnerCard())
    assert policy.current_version() == 1
    changed = OwnerCard(target_lufs=-16.0, tag_quotas=(TagQuota(tag="music", max_share=0.5),))
    second = await policy.update(changed, author="ops@example")
    assert second.version == 2
    assert await policy.update(changed, author="ops@example") == second  # no change, no version
    assert policy.snapshot(1).card == OwnerCard()
    [latest, _first] = policy.history()
    assert latest.author == "ops@example"
    assert {c.path for c in latest.diff} == {"$.target_lufs", "$.tag_quotas"}
    entries = await AuditLog(database).page(None, 10)
    assert [(e.actor_id, e.action, e.target_id) for e in entries] == [
        ("ops@example", "lab.policy.update", "2"),
        (None, "lab.policy.update", "1"),  # the default card, seeded by the system
    ]
    assert {change["path"] for change in entries[0].detail["diff"]} == {
        "$.target_lufs", "$.tag_quotas",
    }  # fmt: skip
    with pytest.raises(BadRequest):
        await policy.update(OwnerCard(ladder=("thumb_low",)), author="ops@example")
    with pytest.raises(NotFound):
        policy.snapshot(99)
    reopened = PolicyService(store, lambda card: None, ManualClock())
    await reopened.load(OwnerCard())
    assert reopened.current_version() == 2
    assert reopened.snapshot(2) == second


def test_the_diff_names_leaf_paths() -> None:
    before = OwnerCard(tag_quotas=(TagQuota(tag="music", max_share=0.5),))
    after = OwnerCard(tag_quotas=(TagQuota(tag="music", max_share=0.25),), no_repeat_window_s=60)
    assert [(c.path, c.before, c.after) for c in card_diff(before, after)] == [
        ("$.no_repeat_window_s", 3600.0, 60.0),
        ("$.tag_quotas[0].max_share", 0.5, 0.25),
    ]


async def test_a_channel_database_of_an_older_vvtv_is_named_in_a_warning(
    tmp_path: Path, settings: LabSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """Before the one database the channel kept its own lab/lab.sqlite3: nothing reads it now,
    so the operator is told where the catalog lives and how to fill it again."""
    settings.paths.root.mkdir(parents=True)
    (settings.paths.root / "lab.sqlite3").write_bytes(b"")
    async with open_lab(settings):
        pass
    [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "lab.sqlite3 is no longer read" in warning
    assert "vvtv lab --data" in warning
