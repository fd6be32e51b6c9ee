"""The lab store, the catalog and the OwnerCard versions (POL-1/2), on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from vvtv.clock import utc_now
from vvtv.contracts.lab import NewMediaItem, OwnerCard, TagQuota
from vvtv.domain.lab.policy import card_diff
from vvtv.errors import BadRequest, Conflict, NotFound
from vvtv.lab.audit import SqliteAudit
from vvtv.lab.catalog import Catalog
from vvtv.lab.migrations import MIGRATIONS
from vvtv.lab.policy import PolicyService
from vvtv.lab.settings import LabSettings
from vvtv.lab.store import LabStore, migrate, schema_version


async def test_migrations_apply_once_and_the_journal_is_wal(tmp_path: Path) -> None:
    """Persistence: the store migrates to the newest version, idempotently, in WAL mode."""
    store = await LabStore.open(tmp_path / "lab.sqlite3")
    store.close()
    connection = sqlite3.connect(tmp_path / "lab.sqlite3")
    assert schema_version(connection) == MIGRATIONS[-1][0]
    assert migrate(connection) == MIGRATIONS[-1][0]
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_catalog_adds_lists_and_refuses_duplicates(tmp_path: Path) -> None:
    store = await LabStore.open(tmp_path / "lab.sqlite3")
    catalog = Catalog(store, utc_now)
    added = await catalog.add(
        NewMediaItem(source="/media/Show One.mp4", duration_s=60, tags=("music", "kids", "music"))
    )
    assert added.id.startswith("Show-One.mp4-")
    assert added.tags == ("kids", "music")
    assert [i.id for i in await catalog.items()] == [added.id]
    with pytest.raises(Conflict):
        await catalog.add(NewMediaItem(source="/media/Show One.mp4", duration_s=60))
    await catalog.remove(added.id)
    with pytest.raises(NotFound):
        await catalog.remove(added.id)
    store.close()


async def test_every_policy_change_is_a_new_audited_version_with_its_diff(
    tmp_path: Path, settings: LabSettings
) -> None:
    """POL-1: versions only grow, each with author and diff, audited; POL-2: snapshots by
    version stay readable after later changes and after a restart."""
    store = await LabStore.open(tmp_path / "lab.sqlite3")
    audit = SqliteAudit(store, utc_now)
    policy = PolicyService(store, audit, lambda card: settings.ladder(card.ladder), utc_now)
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
    entries = await audit.recent()
    assert (entries[0].actor, entries[0].action, entries[0].result) == (
        "ops@example", "policy.update", "version 2",
    )  # fmt: skip
    with pytest.raises(BadRequest):
        await policy.update(OwnerCard(ladder=("thumb_low",)), author="ops@example")
    with pytest.raises(NotFound):
        policy.snapshot(99)
    reopened = PolicyService(store, audit, lambda card: None, utc_now)
    await reopened.load(OwnerCard())
    assert reopened.current_version() == 2
    assert reopened.snapshot(2).card == changed
    store.close()


def test_the_diff_names_leaf_paths() -> None:
    before = OwnerCard(tag_quotas=(TagQuota(tag="music", max_share=0.5),))
    after = OwnerCard(tag_quotas=(TagQuota(tag="music", max_share=0.25),), no_repeat_window_s=60)
    assert [(c.path, c.before, c.after) for c in card_diff(before, after)] == [
        ("$.no_repeat_window_s", 3600.0, 60.0),
        ("$.tag_quotas[0].max_share", 0.5, 0.25),
    ]
