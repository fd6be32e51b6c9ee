"""The registry: addresses actors by (kind, key), spawning on first message; the one way to spawn.

Open it with `open_registry(settings)`; leaving the block (or `aclose`) drains every mailbox.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Hashable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import trio

from .actor import ActorFactory
from .cell import Ambient
from .cell import Cell
from .cell import Kind
from .deadlines import Deadlines
from .errors import ActorUnavailable
from .errors import AskTimeout
from .errors import MailboxFull
from .errors import ShuttingDown
from .errors import UnknownActorKind
from .intensity import RestartIntensity
from .nursery import open_background_nursery
from .reply import Reply
from .service import Service
from .service import supervise as supervise_service
from .settings import ActorSettings
from .statistics import KindStatistics


@asynccontextmanager
async def open_registry(
    settings: ActorSettings, *, shutdown_timeout_s: float = math.inf
) -> AsyncIterator[Registry]:
    """Run a registry for the block's duration; on exit `aclose(timeout_s=shutdown_timeout_s)`."""
    # Actor tasks contain their own failures, so the block's error comes back unwrapped.
    async with open_background_nursery() as nursery:
        registry = Registry(nursery, settings)
        try:
            yield registry
        finally:
            with trio.CancelScope(shield=True):
                # Shielded so a drain still happens when the block exits by an exception;
                # the timeout (not the caller's cancellation) bounds it.
                await registry.aclose(timeout_s=shutdown_timeout_s)


class Registry:
    """Get-or-spawn actors by (kind, key) and deliver messages: `tell`, `send`, `ask`.

    Actor tasks run in `nursery`; prefer `open_registry`, which owns one.
    """

    def __init__(self, nursery: trio.Nursery, settings: ActorSettings) -> None:
        self._nursery = nursery
        self._settings = settings
        self._kinds: dict[str, Kind] = {}
        self._services: dict[str, Service] = {}
        self._running: set[Cell] = set()
        self._closing = False
        self._deadlines = Deadlines(
            ask_timeout_s=settings.ask_timeout_s, idle_passivate_s=settings.idle_passivate_s
        )
        self._timer_scope = trio.CancelScope()
        self._carried: tuple[ContextVar[Any], ...] = ()
        nursery.start_soon(self._run_timer, name="actor registry timer")

    @property
    def settings(self) -> ActorSettings:
        return self._settings

    @property
    def running(self) -> bool:
        """True until `aclose` starts: messages are accepted (a readiness check)."""
        return not self._closing

    def carry(self, var: ContextVar[Any]) -> None:
        """Carry `var`'s value from whoever sends a message into the actor while it handles that
        message (the product carries its trace id this way)."""
        if var not in self._carried:
            self._carried += (var,)

    def register(self, kind: str, factory: ActorFactory) -> None:
        """Declare an actor kind and the factory `(key) -> actor` that builds its instances."""
        if kind in self._kinds or kind in self._services:
            raise ValueError(f"actor kind {kind!r} is already registered")
        self._kinds[kind] = Kind(kind, factory, self._settings)

    async def supervise(
        self,
        name: str,
        run: Callable[[], Awaitable[None]],
        *,
        on_crash: Callable[[Exception], None] | None = None,
        backoff_s: float = 0.0,
        max_restarts: int | None = None,
        restart_window_s: float | None = None,
    ) -> None:
        """Run the service `run` in this task until it returns; after a crash call `on_crash`,
        wait `backoff_s` and run it again, unless that would pass the restart intensity
        (`max_restarts` within `restart_window_s`, the registry's by default): then raise
        `GaveUp`. Cancellation passes through. `statistics()[name]` counts its runs (spawns),
        crashes, restarts and give-ups, and how many runs are live (actors_live)."""
        if name in self._kinds:
            raise ValueError(f"{name!r} is an actor kind, not a service")
        intensity = RestartIntensity(
            self._settings.max_restarts if max_restarts is None else max_restarts,
            self._settings.restart_window_s if restart_window_s is None else restart_window_s,
        )
        service = self._services.setdefault(name, Service())
        await supervise_service(
            name, service, run, intensity, on_crash=on_crash, backoff_s=backoff_s
        )

    # -- delivery ----------------------------------------------------------------------------------

    def tell(self, kind: str, key: Hashable, message: Any) -> None:
        """Queue `message` without waiting; raise `MailboxFull` when full (the overflow policy)."""
        self._put_nowait(self._cell(kind, key), message, None, self._ambient())

    async def send(self, kind: str, key: Hashable, message: Any) -> None:
        """Like `tell`, but wait for room when the mailbox is full (backpressure)."""
        cell = self._cell(kind, key)
        try:
            await cell.mailbox.put((message, None, self._ambient()))
        except trio.ClosedResourceError:
            # The actor went away while we waited for room.
            if self._closing:
                raise ShuttingDown("the actor registry is shutting down") from None
            raise ActorUnavailable(f"the {kind} actor is unavailable", kind=kind, key=key) from None

    async def ask(
        self, kind: str, key: Hashable, message: Any, *, timeout_s: float | None = None
    ) -> Any:
        """Queue `message` and wait for the reply (what `handle` returned, or the error it raised).

        Raises `MailboxFull` at once if the mailbox is full, `AskTimeout` after `timeout_s` (default
        `settings.ask_timeout_s`, counting time queued), `ActorCrashed` if `handle` crashed on it,
        `ActorUnavailable` if the supervisor gave up on the actor first.
        """
        cell = self._cell(kind, key)
        reply = Reply()
        self._put_nowait(cell, message, reply, self._ambient())
        if timeout_s is None:
            # The common case shares the registry's timer: no cancel scope per ask.
            self._deadlines.watch_ask(reply, cell)
            try:
                return await reply.wait()
            finally:
                self._deadlines.forget_answered_asks()
        with trio.move_on_after(timeout_s):
            return await reply.wait()
        cell.kind.counters.ask_timeouts += 1
        raise AskTimeout(f"the {kind} actor did not reply in time", kind=kind, key=key)

    # -- lifecycle ---------------------------------------------------------------------------------

    async def aclose(self, *, timeout_s: float = math.inf) -> None:
        """Refuse new messages (`ShuttingDown`); let every actor drain its mailbox, run `on_stop`.

        After `timeout_s`, actors still running are cancelled and their unprocessed askers get
        `ShuttingDown`. Idempotent.
        """
        self._closing = True
        for kind in self._kinds.values():
            for cell in list(kind.cells.values()):
                cell.detach()
        with trio.move_on_after(timeout_s):
            await self._wait_all_stopped()
        for cell in list(self._running):
            cell.cancel_scope.cancel()
        await self._wait_all_stopped()
        self._timer_scope.cancel()

    def statistics(self) -> dict[str, KindStatistics]:
        """A snapshot per registered kind and per service."""
        kinds = {
            name: kind.counters.snapshot(
                actors_live=len(kind.cells),
                depths=[len(cell.mailbox) for cell in kind.cells.values()],
            )
            for name, kind in self._kinds.items()
        }
        services = {
            name: service.counters.snapshot(actors_live=service.live, depths=[])
            for name, service in self._services.items()
        }
        return kinds | services

    # -- internals ---------------------------------------------------------------------------------

    def _cell(self, kind_name: str, key: Hashable) -> Cell:
        if self._closing:
            raise ShuttingDown("the actor registry is shutting down")
        try:
            kind = self._kinds[kind_name]
        except KeyError:
            raise UnknownActorKind(kind_name) from None
        cell = kind.cells.get(key)
        if cell is None:
            cell = self._spawn(kind, key)
        return cell

    def _spawn(self, kind: Kind, key: Hashable) -> Cell:
        cell = Cell(kind, key, self._deadlines)
        kind.cells[key] = cell
        kind.counters.spawns += 1
        self._running.add(cell)
        self._nursery.start_soon(
            self._live, cell, kind.stopping.get(key), name=f"actor {kind.name}/{key!r}"
        )
        return cell

    async def _live(self, cell: Cell, predecessor: trio.Event | None) -> None:
        try:
            await cell.live(predecessor)
        finally:
            self._running.discard(cell)

    async def _run_timer(self) -> None:
        with self._timer_scope:
            await self._deadlines.run()

    async def _wait_all_stopped(self) -> None:
        while self._running:
            await next(iter(self._running)).stopped.wait()

    def _ambient(self) -> Ambient:
        return tuple((var, var.get(None)) for var in self._carried)

    @staticmethod
    def _put_nowait(cell: Cell, message: Any, reply: Reply | None, ambient: Ambient) -> None:
        try:
            cell.mailbox.put_nowait((message, reply, ambient))
        except trio.WouldBlock:
            cell.kind.counters.mailbox_full += 1
            raise MailboxFull(
                f"the {cell.kind.name} actor is busy", kind=cell.kind.name, key=cell.key
            ) from None
