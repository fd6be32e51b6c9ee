"""Sessions on a real SQLite file: crash recovery at start-up and the cost columns (SES-12)."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from datetime import UTC
from datetime import datetime
from pathlib import Path

import msgspec
import pytest
import trio
import trio.testing
from prometheus_client import CollectorRegistry

from tests.service.sessions.conftest import ANA
from tests.service.sessions.conftest import BOB
from tests.service.sessions.conftest import agreed
from tests.service.sessions.conftest import first_policy
from tests.service.sessions.conftest import trio_wall_clock
from tests.service.sessions.conftest import untold
from tests.service.sessions.test_orchestrator import create
from vvtv.actors import open_registry
from vvtv.assembly import actor_settings
from vvtv.config import ConfigBundle
from vvtv.config import build_runtime_config
from vvtv.contracts.sessions import EndSession
from vvtv.contracts.sessions import PolicySnapshot
from vvtv.domain.sessions import Session
from vvtv.media.fake import FakeMediaProvider
from vvtv.observability.audit import AuditRecord
from vvtv.sessions.actor import SessionPorts
from vvtv.sessions.metrics import SessionMetrics
from vvtv.sessions.orchestrator import open_orchestrator
from vvtv.sessions.store import MemorySessionStore
from vvtv.sessions.store import ModeTally
from vvtv.sessions.store import SqliteSessionStore
from vvtv.store import Database
from vvtv.store import open_database
from vvtv.store.migrations import migrations

# The shipped config's store settings (readers, busy timeout): tests use what serve uses.
STORE = msgspec.structs.asdict(
    build_runtime_config(Path(__file__).resolve().parents[3] / "config").limits.runtime.store
)


def ports(provider: FakeMediaProvider, database: Database) -> SessionPorts:
    return SessionPorts(
        provider=provider,
        store=SqliteSessionStore(database),
        clock=trio_wall_clock,
        metrics=SessionMetrics(CollectorRegistry()),
        notify=untold,
        policy_version=first_policy,
    )


async def test_reconcile_ends_what_a_dead_process_left_running(
    config_bundle: ConfigBundle, tmp_path: Path
) -> None:
    """Crash safety: sessions left active are ended at the next start, endpoints revoked."""
    path = tmp_path / "vvtv.sqlite3"
    profiles = config_bundle.media.profiles
    settings = actor_settings(config_bundle)
    async with (
        open_database(path, **STORE) as database,
        open_registry(settings) as actors,
        open_orchestrator(
            actors, config_bundle, ports(FakeMediaProvider(profiles), database)
        ) as sessions,
    ):  # fmt: skip
        left = [(await sessions.create(ANA, create("party"))).id for _ in range(2)]
        finished = (await sessions.create(BOB, create("party"))).id
        await sessions.end(BOB, finished, EndSession())
        # What counts against max_concurrent_per_user (OPS-5), read from the file.
        held = SqliteSessionStore(database)
        assert sorted(await held.held_by(ANA.user_id)) == sorted(left)
        assert await held.held_by(BOB.user_id) == {}
    # The process "died": nothing ended the two sessions. A new one starts on the same file.
    provider = FakeMediaProvider(profiles)
    async with (
        open_database(path, **STORE) as database,
        open_registry(settings) as actors,
        open_orchestrator(actors, config_bundle, ports(provider, database)) as sessions,
    ):  # fmt: skip
        store = SqliteSessionStore(database)
        assert sorted(s.id for s in await store.unfinished()) == sorted(left)
        assert await sessions.reconcile() == 2
        assert await store.unfinished() == []
        for session_id in left:
            view = await sessions.get(ANA, session_id)
            assert (view.state, view.end_reason) == ("ended", "abandoned")
        assert sorted(c.session_id for c in provider.calls if c.method == "revoke_endpoints") == (
            sorted(left)
        )
        assert (await sessions.get(BOB, finished)).end_reason == "user"


async def test_store_records_profile_start_end_and_egress(
    config_bundle: ConfigBundle, tmp_path: Path
) -> None:
    """SES-12: the store keeps each session's profile, start, end and estimated egress, and a
    call's participants: everyone its match bound."""
    async with (
        open_database(tmp_path / "vvtv.sqlite3", **STORE) as database,
        open_registry(actor_settings(config_bundle)) as actors,
        open_orchestrator(
            actors, config_bundle, ports(FakeMediaProvider(config_bundle.media.profiles), database)
        ) as sessions,
    ):  # fmt: skip
        view = await sessions.create_agreed(agreed("match", "ana", "bob"), create("random"))
        ended = await sessions.end(ANA, view.id, EndSession())
        row = await database.read(
            lambda db: db.execute(
                "SELECT media_profile, started_at, ended_at, estimated_egress_bytes, state,"
                " participants FROM sessions WHERE id = ?",
                (view.id,),
            ).fetchone()
        )
    assert row["media_profile"] == "call_random_fast"
    assert row["started_at"] is not None
    assert row["ended_at"] is not None
    assert row["state"] == "ended"
    assert msgspec.json.decode(row["participants"]) == ["ana", "bob"]
    assert row["estimated_egress_bytes"] == ended.estimated_egress_bytes > 0


def _session(n: int) -> Session:
    return Session(
        id=f"s{n}",
        mode="party",
        ecosystem="party",
        audience_type="room",
        stream_transport="webrtc",
        intent_label="party",
        media_profile="thumb_low",
        webrtc=True,
        participants=("ana",),
        policy=PolicySnapshot(config_version="v", tier=None, policy_version=None),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


async def test_saves_that_arrive_during_a_commit_go_together_each_returning_committed(
    tmp_path: Path,
) -> None:
    """A group commit: many sessions saved at once cost two transactions, not one each, and
    every save returns only once its row (and its audit entry) is committed."""
    async with open_database(tmp_path / "vvtv.sqlite3", **STORE) as database:
        store = SqliteSessionStore(database)
        before = database.statistics().writes_total
        audit = AuditRecord(at=datetime(2026, 1, 1, tzinfo=UTC), actor_id=None, action="x")
        committed: dict[str, bool] = {}

        async def save(n: int) -> None:
            await store.save(_session(n), audit if n == 7 else None)
            committed[f"s{n}"] = await store.get(f"s{n}") is not None

        async with trio.open_nursery() as nursery:
            for n in range(20):
                nursery.start_soon(save, n)
        assert database.statistics().writes_total - before == 2  # the first, then the rest
        assert committed == {f"s{n}": True for n in range(20)}
        assert len(await store.unfinished()) == 20
        audited = await database.read(
            lambda db: db.execute("SELECT count(*) FROM audit_log WHERE action = 'x'").fetchone()
        )
        assert audited[0] == 1


async def test_a_batch_that_fails_fails_each_save_and_commits_none_of_it(tmp_path: Path) -> None:
    async with open_database(tmp_path / "vvtv.sqlite3", **STORE) as database:
        store = SqliteSessionStore(database)
        failures: list[str] = []

        async def save(session: Session) -> None:
            with pytest.raises(sqlite3.IntegrityError):
                await store.save(session)
            failures.append(session.id)

        refused = dataclasses.replace(_session(3), state="bogus")  # type: ignore[arg-type]
        gate = threading.Event()
        async with trio.open_nursery() as nursery:
            # Something else holds the writer, so s0's batch waits and the next two gather.
            nursery.start_soon(database.write, lambda db: gate.wait(10))
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(store.save, _session(0))
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(save, _session(2))
            nursery.start_soon(save, refused)  # its state fails the table's CHECK
            await trio.testing.wait_all_tasks_blocked()
            gate.set()
        assert sorted(failures) == ["s2", "s3"]
        assert [s.id for s in await store.unfinished()] == ["s0"]


async def test_the_tally_counts_unfinished_sessions_by_mode_and_state_without_reading_them(
    tmp_path: Path,
) -> None:
    """What the cost meter reads every sample (TEL-4): counts and summed profile ceilings per mode
    and state, from one indexed query; finished sessions are not counted."""
    async with open_database(tmp_path / "vvtv.sqlite3", **STORE) as database:
        store = SqliteSessionStore(database)
        states = ["active", "active", "creating", "ended", "failed"]
        for n, state in enumerate(states):
            await store.save(dataclasses.replace(_session(n), state=state, bitrate_kbps=300))
        call = dataclasses.replace(_session(9), mode="random", state="active", bitrate_kbps=900)
        await store.save(call)
        assert sorted(await store.tally()) == [
            ModeTally(mode="party", state="active", sessions=2, bitrate_kbps=600),
            ModeTally(mode="party", state="creating", sessions=1, bitrate_kbps=300),
            ModeTally(mode="random", state="active", sessions=1, bitrate_kbps=900),
        ]
        memory = MemorySessionStore()
        for n, state in enumerate(states):
            await memory.save(dataclasses.replace(_session(n), state=state, bitrate_kbps=300))
        await memory.save(call)
        assert sorted(await memory.tally()) == sorted(await store.tally())


@pytest.mark.req("OPS-5")
def test_the_participants_table_is_filled_from_the_sessions_already_there() -> None:
    """Migration 0008 indexes who takes part in each session for max_concurrent_per_user; the
    sessions a database held before it are indexed too."""
    shipped = migrations()
    [index] = [sql for _, name, sql in shipped if name == "0008_session_participants.sql"]
    db = sqlite3.connect(":memory:")
    for _, name, sql in shipped:
        if name == "0008_session_participants.sql":
            break
        db.executescript(sql)
    db.execute(
        "INSERT INTO sessions (id, mode, ecosystem, audience_type, stream_transport, intent_label,"
        " webrtc, participants, policy, state, created_at, bitrate_kbps, direction_factor)"
        " VALUES ('s1', 'random', 'random', 'one_to_one', 'webrtc', 'random', 1,"
        """ '["ana", "bob"]', '{}', 'active', '2026-01-01T00:00:00+00:00', 632, 2.0)"""
    )
    db.executescript(index)
    rows = db.execute("SELECT user_id, session_id FROM session_participants ORDER BY user_id")
    assert rows.fetchall() == [("ana", "s1"), ("bob", "s1")]
