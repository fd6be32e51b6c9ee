"""`vvtv serve`: hypercorn's trio worker serving the app (its sockets on their own streams,
`vvtv.web.listener`), in one nursery with the actor supervisor.

The 24/7 channel (`vvtv.lab`) runs in the same nursery, started after the HTTP listener so a
first start's reserve-clip generation never delays readiness; `--no-channel` leaves it off (a
standalone agent on a LAB machine airs it instead).

Shutdown on SIGINT/SIGTERM: stop the channel (its ffmpeg children are killed), stop accepting,
finish in-flight requests, drain the actors' mailboxes (each ends what it owns), close the store,
then return so the process exits 0.

While it serves, `FrozenHeap` keeps long-lived objects (idle sockets, rooms) out of the garbage
collector's full collections, whose pauses would otherwise grow with them.
"""

from __future__ import annotations

import gc
import logging
import signal
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trio
from hypercorn.config import Config as HypercornConfig

from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.config import ConfigBundle
from vvtv.config.schema.limits import GcLimits
from vvtv.lab.runtime import LabRuntime
from vvtv.media.local_sfu import SfuOptions
from vvtv.web import listener
from vvtv.web.asgi import WebApp

log = logging.getLogger("vvtv.server")


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    data_dir: Path
    channel: bool = True  # air the channel in-process (LAB-5)
    # Dev/test: the SFU gathers ICE on 127.0.0.1 only (a server under test listens on loopback
    # alone, whatever the machine's interfaces).
    ice_loopback_only: bool = False


async def _until_signalled(stop: trio.Event, scope: trio.CancelScope) -> None:
    with scope, trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            log.info("received %s: shutting down", signal.Signals(signum).name)
            stop.set()
            return


async def serve(
    options: ServeOptions,
    config: ConfigBundle,
    stop: trio.Event | None = None,
    *,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run until `stop` is set or a SIGINT/SIGTERM arrives; `started(binds)` once listening."""
    stop = stop if stop is not None else trio.Event()
    # The SFU in a worker process: its garbage collections never stall this loop (worker.py).
    sfu = SfuOptions(process=True, loopback_only=options.ice_loopback_only)
    async with open_runtime(config, options.data_dir, sfu_options=sfu) as (runtime, services):
        app = create_app(runtime, services)
        hypercorn = hypercorn_config(config, f"{options.host}:{options.port}")
        async with trio.open_nursery() as nursery:
            signals = trio.CancelScope()
            nursery.start_soon(_until_signalled, stop, signals)
            binds = await nursery.start(serve_http, app, hypercorn, config, stop)
            log.info("vvtv serving on %s (%s)", ", ".join(binds), config.summary())
            heap = trio.CancelScope()
            nursery.start_soon(_run_in, heap, FrozenHeap(config.limits.runtime.gc).run)
            task_status.started(binds)
            channel = trio.CancelScope()
            if options.channel:
                nursery.start_soon(_run_channel, services.lab, channel)
            await stop.wait()
            signals.cancel()
            channel.cancel()
            heap.cancel()
            # Not ready from here on; hypercorn finishes in-flight requests, then the registry
            # drains its mailboxes and the store closes as their blocks exit.
            runtime.draining = True
    log.info("vvtv stopped")


class FrozenHeap:
    """CPython's full collections scan every long-lived object, and a server holding 20,000 idle
    sockets has millions: each such collection stops everything for seconds. So what has
    survived is frozen (`gc.freeze`: never scanned again) every `freeze_every_s`, after the young
    generations are collected (their garbage is not frozen), and full collections only see what
    came since. An object that dies frozen is still freed by its reference count; one that dies in
    a reference cycle (a closed socket's hypercorn connection) waits for the thaw: every
    `thaw_every_s` all is thawed and collected once, one full pause, then frozen again."""

    def __init__(self, limits: GcLimits) -> None:
        self._limits = limits

    async def run(self) -> None:
        """Freeze and thaw until cancelled; then thaw, and the collector is as Python's again."""
        thaw_at = trio.current_time() + self._limits.thaw_every_s
        try:
            while True:
                await trio.sleep(self._limits.freeze_every_s)
                if trio.current_time() >= thaw_at:
                    thaw_at = trio.current_time() + self._limits.thaw_every_s
                    gc.unfreeze()
                    gc.collect()
                else:
                    gc.collect(1)
                gc.freeze()
        finally:
            gc.unfreeze()


async def _run_in(scope: trio.CancelScope, run: Callable[[], Awaitable[None]]) -> None:
    with scope:
        await run()


async def _run_channel(lab: LabRuntime, scope: trio.CancelScope) -> None:
    with scope:
        try:
            await lab.run()
        except Exception:
            # The channel failing to start (no usable reserve clip, ffmpeg missing) must not take
            # the rest of the product down: /lab/health reports it off air, the log says why.
            log.exception("the channel is off air")


def hypercorn_config(config: ConfigBundle, bind: str) -> HypercornConfig:
    """hypercorn's settings for `vvtv serve` on `bind` (host:port)."""
    hypercorn = HypercornConfig()
    hypercorn.bind = [bind]
    hypercorn.graceful_timeout = config.limits.runtime.shutdown.grace_s / 2
    hypercorn.keep_alive_timeout = config.limits.runtime.http.keep_alive_s
    hypercorn.accesslog = None
    hypercorn.errorlog = logging.getLogger("hypercorn.error")  # ours, not a second handler
    return hypercorn


async def serve_http(
    app: WebApp,
    hypercorn: HypercornConfig,
    config: ConfigBundle,
    stop: trio.Event,
    *,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve `app` until `stop` is set; `started(binds)` once listening."""
    await listener.serve(
        app,
        hypercorn,
        stop.wait,
        # A new connection says what it wants as soon as an idle kept-alive one must.
        head_within_s=config.limits.runtime.http.keep_alive_s,
        max_message_bytes=config.limits.runtime.http.max_body_bytes,
        task_status=task_status,
    )
