"""Sessions on a real SQLite file: crash recovery at start-up and the cost columns (SES-12)."""

from __future__ import annotations

from pathlib import Path

import msgspec
from prometheus_client import CollectorRegistry

from tests.service.sessions.conftest import ANA, agreed, trio_wall_clock
from tests.service.sessions.test_orchestrator import create
from vvtv.actors import open_registry
from vvtv.assembly import actor_settings
from vvtv.config import ConfigBundle, build_runtime_config
from vvtv.contracts.sessions import EndSession
from vvtv.media.fake import FakeMediaProvider
from vvtv.sessions.actor import SessionPorts
from vvtv.sessions.metrics import SessionMetrics
from vvtv.sessions.orchestrator import open_orchestrator
from vvtv.sessions.store import SqliteSessionStore
from vvtv.store import Database, open_database

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
        finished = (await sessions.create(ANA, create("party"))).id
        await sessions.end(ANA, finished, EndSession())
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
        assert (await sessions.get(ANA, finished)).end_reason == "user"


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
