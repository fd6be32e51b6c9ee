"""The SFU engine in a worker process of its own, and trio's end of the pipe to it.

Why a process: aiortc builds hundreds of objects per peer connection, and every full collection of
the garbage collector walks them all while holding the one interpreter lock, so in the server's
process a burst of connection setups stopped trio's loop for 100 ms and more (measured: 50 tile
pools joining at once). In its own process the SFU's heap and its collections are its own, and
its packet work runs beside trio on another core. Port calls travel as (method, arguments), the
engine's replies and errors back, with its peer events and a statistics snapshot every
`statistics_s` (pickled msgspec Structs: the port's messages are built to cross a process), and
its frame checks' results (issue 16: the classifier runs here too, on a thread of its own).
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
from collections.abc import Callable
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from multiprocessing.connection import Connection
from typing import Any

import trio

from vvtv.config.schema.limits import FrameCheckLimits
from vvtv.config.schema.limits import SfuLimits
from vvtv.config.schema.media import Profile
from vvtv.media.errors import MediaUnavailable
from vvtv.media.local_sfu.context import SfuContext
from vvtv.media.local_sfu.counters import SfuCounters
from vvtv.media.local_sfu.engine import SfuEngine
from vvtv.media.local_sfu.frame_sampler import checking_thread
from vvtv.media.local_sfu.frame_sampler import frame_sampler_of
from vvtv.media.local_sfu.ice import allow_loopback_candidates
from vvtv.media.local_sfu.ice import only_loopback_candidates
from vvtv.media.local_sfu.options import SfuOptions
from vvtv.media.local_sfu.statistics import SfuStatistics
from vvtv.media.port import FrameChecked
from vvtv.media.port import PeerStateChanged
from vvtv.media.profiles import ProfileCatalog

# The engine's methods a port call may name (nothing else is reachable through the pipe).
METHODS = frozenset(
    {
        "create", "answer", "set_subscriber_profile", "open_tile_pool", "point_tiles",
        "sample_tile_pools", "check_frames_now", "last_still",
        "revoke",
    }
)  # fmt: skip


# --- the worker process --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerSetup:
    """What the worker process is started with (pickled across to it)."""

    profiles: dict[str, Profile]
    limits: SfuLimits
    frame_checks: FrameCheckLimits
    options: SfuOptions


def worker_main(conn: Connection, setup: WorkerSetup) -> None:
    """The process's entry point: serve port calls until told to close."""
    if setup.options.loopback_only:
        only_loopback_candidates()
    elif setup.options.loopback_candidates:
        allow_loopback_candidates()
    asyncio.run(_serve(conn, setup))


async def _serve(conn: Connection, setup: WorkerSetup) -> None:
    options = setup.options
    loop = asyncio.get_running_loop()
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sfu-pipe")
    executor = ThreadPoolExecutor(
        max_workers=options.encode_threads or os.cpu_count() or 2,
        thread_name_prefix="sfu-encode",
    )
    checker = checking_thread()
    frames = frame_sampler_of(setup.frame_checks, checker, lambda done: conn.send(("frame", done)))
    # Every send happens on this loop's thread; the pipe's reader is the one other thread.
    engine = SfuEngine(
        ProfileCatalog(setup.profiles),
        SfuContext(setup.limits, executor, SfuCounters(), frames),
        lambda event: conn.send(("event", event)),
    )

    async def report() -> None:
        while True:
            conn.send(("stats", engine.statistics()))
            await asyncio.sleep(options.statistics_s)

    async def answer(number: int, method: str, args: tuple[Any, ...]) -> None:
        try:
            result = await getattr(engine, method)(*args)
        except Exception as error:  # the caller's to raise: a VvtvError as itself
            conn.send(("reply", number, False, error))
        else:
            conn.send(("reply", number, True, result))

    reporting = loop.create_task(report())
    calls: set[asyncio.Task[None]] = set()
    conn.send(("ready", engine.statistics()))
    try:
        while True:
            message = await loop.run_in_executor(reader, conn.recv)
            if message[0] == "close":
                break
            _, number, method, args = message
            if method not in METHODS:
                conn.send(("reply", number, False, ValueError(f"no SFU method {method!r}")))
                continue
            task = loop.create_task(answer(number, method, args))
            calls.add(task)
            task.add_done_callback(calls.discard)
    finally:
        reporting.cancel()
        await engine.close()
        executor.shutdown(wait=False, cancel_futures=True)
        checker.shutdown(wait=False, cancel_futures=True)
        conn.send(("closed",))
        reader.shutdown(wait=False)


# --- trio's end ----------------------------------------------------------------------------------


@dataclass(eq=False)
class SfuWorker:
    """The worker process seen from trio: `call` an engine method, read `statistics()`. Open it
    with `SfuWorker.start`, run `read` in a task, and `close` it."""

    conn: Connection
    process: Any  # multiprocessing's SpawnProcess
    on_event: Callable[[PeerStateChanged], None]
    on_frame: Callable[[FrameChecked], None]
    snapshot: SfuStatistics
    _pending: dict[int, tuple[trio.Event, list[tuple[bool, Any]]]] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)
    _sending: trio.Lock = field(default_factory=trio.Lock)
    _closed: trio.Event = field(default_factory=trio.Event)

    @classmethod
    async def start(
        cls,
        profiles: Mapping[str, Profile],
        limits: SfuLimits,
        frame_checks: FrameCheckLimits,
        options: SfuOptions,
        on_event: Callable[[PeerStateChanged], None],
        on_frame: Callable[[FrameChecked], None],
    ) -> SfuWorker:
        context = multiprocessing.get_context("spawn")  # a fork would copy trio's threads' state
        parent, child = context.Pipe()
        process = context.Process(
            target=worker_main,
            args=(child, WorkerSetup(dict(profiles), limits, frame_checks, options)),
            name="vvtv-sfu",
            daemon=True,
        )
        process.start()
        child.close()
        ready = await trio.to_thread.run_sync(parent.recv)
        if ready[0] != "ready":
            raise RuntimeError(f"the SFU worker did not start: {ready!r}")
        return cls(
            conn=parent, process=process, on_event=on_event, on_frame=on_frame, snapshot=ready[1]
        )

    async def call(self, method: str, *args: Any) -> Any:
        if self._closed.is_set():
            raise MediaUnavailable("the SFU worker process is gone")
        number = next(self._numbers)
        done = trio.Event()
        box: list[tuple[bool, Any]] = []
        self._pending[number] = (done, box)
        try:
            async with self._sending:  # one writer at a time: a message is one write
                try:
                    await trio.to_thread.run_sync(self.conn.send, ("call", number, method, args))
                except OSError as error:  # closed under us: shutting down
                    raise MediaUnavailable("the SFU worker process is gone") from error
            await done.wait()
        finally:
            self._pending.pop(number, None)  # a cancelled caller's reply is dropped on arrival
        ok, value = box[0]
        if not ok:
            raise value
        return value

    def statistics(self) -> SfuStatistics:
        return self.snapshot

    async def read(self) -> None:
        """Deliver replies, events and statistics until the worker has closed (or died: every
        caller still waiting is then told the media are unavailable)."""
        while True:
            try:
                message = await trio.to_thread.run_sync(self.conn.recv, abandon_on_cancel=True)
            except (EOFError, OSError):
                gone = MediaUnavailable("the SFU worker process is gone")
                for done, box in self._pending.values():
                    box.append((False, gone))
                    done.set()
                self._closed.set()
                return
            match message:
                case ("reply", number, ok, value):
                    waiting = self._pending.get(number)
                    if waiting is not None:
                        waiting[1].append((ok, value))
                        waiting[0].set()
                case ("event", event):
                    self.on_event(event)
                case ("frame", checked):
                    self.on_frame(checked)
                case ("stats", snapshot):
                    self.snapshot = snapshot
                case ("closed",):
                    self._closed.set()
                    return

    async def close(self, timeout_s: float) -> None:
        """Ask the worker to revoke everything and stop; end it if it does not within."""
        with trio.move_on_after(timeout_s):
            async with self._sending:
                await trio.to_thread.run_sync(self.conn.send, ("close",))
            await self._closed.wait()
        await trio.to_thread.run_sync(self.process.join, timeout_s)
        if self.process.is_alive():
            self.process.kill()
        self.conn.close()
