"""`vvtv serve`: hypercorn's trio worker serving the app, in one nursery with the actor supervisor.

Shutdown on SIGINT/SIGTERM: stop accepting, finish in-flight requests, drain the actors' mailboxes
(each ends what it owns), then return so the process exits 0.
"""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from pathlib import Path

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve as hypercorn_serve

from vvtv.actors import ActorSettings, open_registry
from vvtv.config import ConfigBundle
from vvtv.runtime import Runtime
from vvtv.web.app import create_app

log = logging.getLogger("vvtv.server")


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    data_dir: Path


def actor_settings(config: ConfigBundle) -> ActorSettings:
    actors = config.limits.runtime.actors
    return ActorSettings(
        mailbox_size=actors.mailbox_size,
        ask_timeout_s=actors.ask_timeout_s,
        idle_passivate_s=actors.idle_passivate_s,
        max_restarts=actors.max_restarts,
        restart_window_s=actors.restart_window_s,
    )


async def _until_signalled(stop: trio.Event, scope: trio.CancelScope) -> None:
    with scope, trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            log.info("received %s: shutting down", signal.Signals(signum).name)
            stop.set()
            return


async def serve(
    options: ServeOptions, config: ConfigBundle, stop: trio.Event | None = None
) -> None:
    """Run until `stop` is set or a SIGINT/SIGTERM arrives."""
    stop = stop or trio.Event()
    grace = config.limits.runtime.shutdown.grace_s
    options.data_dir.mkdir(parents=True, exist_ok=True)
    async with open_registry(actor_settings(config), shutdown_timeout_s=grace / 2) as actors:
        runtime = Runtime(config=config, actors=actors, data_dir=options.data_dir)
        runtime.metrics.config.info({"tier": config.tier or "base", "version": config.version})
        runtime.metrics.watch_actors(actors.statistics)
        app = create_app(runtime)
        hypercorn = HypercornConfig()
        hypercorn.bind = [f"{options.host}:{options.port}"]
        hypercorn.graceful_timeout = grace / 2
        hypercorn.accesslog = None
        hypercorn.errorlog = logging.getLogger("hypercorn.error")  # ours, not a second handler
        async with trio.open_nursery() as nursery:
            signals = trio.CancelScope()
            nursery.start_soon(_until_signalled, stop, signals)
            binds = await nursery.start(_serve_http, app, hypercorn, stop)
            log.info("vvtv serving on %s (%s)", ", ".join(binds), config.summary())
            await stop.wait()
            signals.cancel()
            # Not ready from here on; hypercorn finishes in-flight requests, then the registry
            # drains its mailboxes as its block exits.
            runtime.draining = True
    log.info("vvtv stopped")


async def _serve_http(
    app: object,
    hypercorn: HypercornConfig,
    stop: trio.Event,
    *,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    await hypercorn_serve(app, hypercorn, shutdown_trigger=stop.wait, task_status=task_status)  # type: ignore[arg-type]
