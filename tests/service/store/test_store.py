"""The embedded store: migrations applied in order, a newer database refused, and the trio loop
kept responsive while writes run (they happen in a worker thread)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest
import trio

from vvtv.config import build_runtime_config
from vvtv.store import SchemaTooNew
from vvtv.store import open_database
from vvtv.store.migrations import migrations

# The shipped config's store settings (readers, busy timeout): tests use what serve uses.
STORE = msgspec.structs.asdict(
    build_runtime_config(Path(__file__).resolve().parents[3] / "config").limits.runtime.store
)


async def test_a_new_database_gets_every_migration_in_wal_mode(tmp_path: Path) -> None:
    async with open_database(tmp_path / "db.sqlite3", **STORE) as db:
        assert db.schema_version == len(migrations())
        mode = await db.read(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0])
        assert mode == "wal"
        tables = await db.read(
            lambda c: {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        )
        assert {"users", "auth_sessions", "blocks", "audit_log"} <= tables


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with open_database(path, **STORE):
        pass
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {len(migrations()) + 1}")
    with pytest.raises(SchemaTooNew, match="newer vvtv"):
        async with open_database(path, **STORE):
            pass


async def test_a_failed_write_rolls_back_whole(tmp_path: Path) -> None:
    async with open_database(tmp_path / "db.sqlite3", **STORE) as db:

        def half(c: sqlite3.Connection) -> None:
            c.execute("INSERT INTO audit_log (at, action) VALUES ('2026-01-01', 'kept?')")
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await db.write(half)
        count = await db.read(lambda c: c.execute("SELECT count(*) FROM audit_log").fetchone()[0])
        assert count == 0


async def test_the_loop_answers_while_writes_run(tmp_path: Path) -> None:
    """Writes (fsync per commit) run in the writer thread: a ticker on the loop keeps ticking."""
    async with open_database(tmp_path / "db.sqlite3", **STORE) as db:
        ticks = 0
        done = trio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await trio.lowlevel.checkpoint()

        async def writes() -> None:
            for n in range(50):
                await db.write(
                    lambda c, n=n: c.execute(
                        "INSERT INTO audit_log (at, action) VALUES ('2026-01-01', ?)", (f"w{n}",)
                    )
                )
            done.set()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(ticker)
            nursery.start_soon(writes)
        # Each write yields to the loop at least once while its thread works.
        assert ticks >= 50
        assert db.statistics().writes_total == 50
