"""The composition root: opens the database and the actor registry, builds each context's service
and wires them together. `vvtv serve`, the CLI and the tests all start the product through here."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import trio

from vvtv.actors import ActorSettings, open_registry
from vvtv.clock import WallClock, utc_now
from vvtv.config import ConfigBundle
from vvtv.identity.passwords import Passwords
from vvtv.identity.service import Identity
from vvtv.identity.store import SqliteAccountStore
from vvtv.identity.tokens import TokenSigner, load_or_create_key
from vvtv.observability.audit import AuditLog
from vvtv.runtime import Runtime
from vvtv.store import open_database
from vvtv.web.sockets import SocketHub

DATABASE_FILE = "vvtv.sqlite3"


@dataclass
class Services:
    identity: Identity
    audit: AuditLog
    sockets: SocketHub


def actor_settings(config: ConfigBundle) -> ActorSettings:
    actors = config.limits.runtime.actors
    return ActorSettings(
        mailbox_size=actors.mailbox_size,
        ask_timeout_s=actors.ask_timeout_s,
        idle_passivate_s=actors.idle_passivate_s,
        max_restarts=actors.max_restarts,
        restart_window_s=actors.restart_window_s,
    )


@asynccontextmanager
async def open_runtime(
    config: ConfigBundle, data_dir: Path, clock: WallClock = utc_now
) -> AsyncIterator[tuple[Runtime, Services]]:
    await trio.Path(data_dir).mkdir(parents=True, exist_ok=True)
    grace = config.limits.runtime.shutdown.grace_s
    async with (
        open_database(data_dir / DATABASE_FILE) as database,
        open_registry(actor_settings(config), shutdown_timeout_s=grace / 2) as actors,
    ):
        runtime = Runtime(
            config=config, actors=actors, database=database, data_dir=data_dir, clock=clock
        )
        auth = config.limits.auth
        identity = Identity(
            SqliteAccountStore(database),
            config,
            TokenSigner(load_or_create_key(data_dir), auth.tokens.access_ttl_s),
            Passwords(auth.password, concurrency=os.cpu_count() or 1),
            clock,
        )
        await identity.load()
        sockets = SocketHub(
            identity, auth.socket, clock, outbox_size=config.limits.runtime.actors.mailbox_size
        )
        identity.on_ban(sockets.ban)
        runtime.metrics.config.info({"tier": config.tier or "base", "version": config.version})
        runtime.metrics.watch_actors(actors.statistics)
        yield runtime, Services(identity=identity, audit=AuditLog(database), sockets=sockets)
