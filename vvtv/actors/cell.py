"""One actor's mailbox and supervised life: spawn, serve messages, restart, passivate, stop.

The cell outlives actor instances: a crash replaces the instance (factory -> on_start) and keeps the
mailbox, so the messages behind the poisoned one are still served.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from collections.abc import Hashable
from contextvars import ContextVar
from typing import Any

import trio

from vvtv.errors import VvtvError

from .actor import Actor
from .actor import ActorFactory
from .deadlines import Deadlines
from .errors import ActorCrashed
from .errors import ActorUnavailable
from .errors import AskTimeout
from .errors import ShuttingDown
from .intensity import RestartIntensity
from .mailbox import Mailbox
from .reply import Reply
from .settings import ActorSettings
from .statistics import KindCounters

logger = logging.getLogger("vvtv.actors")

Ambient = tuple[tuple[ContextVar[Any], Any], ...]
"""Context variables the sender had set (a trace id), carried with its message."""

Envelope = tuple[Any, Reply | None, Ambient]
"""A message, for `ask` the slot its reply goes to (None for `tell`), and the sender's ambient."""

# A busy actor takes queued messages without parking; it still yields this often, to stay fair.
_YIELD_EVERY = 64


class Kind:
    """A registered actor kind: its factory, the mailbox size and restart intensity its cells
    get, its live cells by key, and its counters."""

    __slots__ = ("cells", "counters", "factory", "name", "settings", "stopping")

    def __init__(self, name: str, factory: ActorFactory, settings: ActorSettings) -> None:
        self.name = name
        self.factory = factory
        self.settings = settings
        self.cells: dict[Hashable, Cell] = {}
        # Cells detached from `cells` but still running on_stop: a successor for the same key waits
        # for them, so a new on_start never races the old on_stop over persisted state.
        self.stopping: dict[Hashable, trio.Event] = {}
        self.counters = KindCounters()


class _Ending(enum.Enum):
    STOPPED = enum.auto()
    CRASHED = enum.auto()


class Cell:
    """The mailbox and supervision state of one (kind, key), for as long as it is attached."""

    __slots__ = (
        "_deadlines",
        "_intensity",
        "cancel_scope",
        "key",
        "kind",
        "mailbox",
        "stopped",
    )

    def __init__(self, kind: Kind, key: Hashable, deadlines: Deadlines) -> None:
        settings = kind.settings
        self.kind = kind
        self.key = key
        self._deadlines = deadlines
        self.mailbox: Mailbox[Envelope] = Mailbox(settings.mailbox_size)
        self.cancel_scope = trio.CancelScope()
        self.stopped = trio.Event()
        self._intensity = RestartIntensity(settings.max_restarts, settings.restart_window_s)

    # -- called by the registry and its timer ------------------------------------------------------

    def detach(self) -> None:
        """Stop accepting messages: unmap from the kind and close the mailbox.

        Already queued messages stay; the loop drains them (shutdown) or fails them (give-up).
        """
        if self.mailbox.closed:
            return
        self.mailbox.close()
        kind = self.kind
        if kind.cells.get(self.key) is self:
            del kind.cells[self.key]
            kind.stopping[self.key] = self.stopped

    def ask_timed_out(self, reply: Reply) -> None:
        self.kind.counters.ask_timeouts += 1
        reply.fail(
            AskTimeout(
                f"the {self.kind.name} actor did not reply in time",
                kind=self.kind.name,
                key=self.key,
            )
        )

    def passivate(self) -> None:
        """Idle too long: detach, so the parked loop sees the end of its mailbox and stops."""
        if len(self.mailbox) or self.mailbox.closed:
            return  # a message arrived as the timer fired: not idle after all
        self.kind.counters.passivations += 1
        self.detach()

    async def live(self, predecessor: trio.Event | None) -> None:
        """The cell's task: its supervised life, ending with the mailbox closed and emptied."""
        try:
            with self.cancel_scope:
                if predecessor is not None:
                    await predecessor.wait()
                await self._supervise()
        finally:
            # Normally the mailbox is empty here; after cancellation (the shutdown deadline)
            # whatever is left is refused, so no asker waits for a reply that will never come.
            self._deadlines.idle_since.pop(self, None)
            self.detach()
            self._fail_pending(lambda: ShuttingDown("the actor stopped before this message ran"))
            self.stopped.set()
            if self.kind.stopping.get(self.key) is self.stopped:
                del self.kind.stopping[self.key]

    # -- the supervised loop -----------------------------------------------------------------------

    async def _supervise(self) -> None:
        counters = self.kind.counters
        while True:
            try:
                actor = self.kind.factory(self.key)
                await actor.on_start()
            except Exception as crash:
                self._log_crash(crash, "on_start")
                ending = _Ending.CRASHED
            else:
                ending = await self._serve(actor)
                await self._stop_instance(actor)
            if ending is _Ending.STOPPED:
                return
            if self._intensity.exceeded(trio.current_time()):
                self._give_up()
                return
            counters.restarts += 1

    async def _serve(self, actor: Actor) -> _Ending:
        """Hand messages to `actor` one at a time until the mailbox ends or the actor crashes."""
        mailbox = self.mailbox
        counters = self.kind.counters
        idle_since = self._deadlines.idle_since
        streak = 0
        while True:
            try:
                if streak >= _YIELD_EVERY:
                    streak = 0
                    await trio.lowlevel.checkpoint()
                message, reply, ambient = mailbox.get_nowait()
                streak += 1
            except trio.WouldBlock:
                streak = 0
                idle_since[self] = trio.current_time()
                try:
                    message, reply, ambient = await mailbox.get()
                except trio.EndOfChannel:
                    return _Ending.STOPPED
                finally:
                    idle_since.pop(self, None)
            except trio.EndOfChannel:
                return _Ending.STOPPED
            counters.processed += 1
            # The actor's task outlives any one sender: the sender's values hold only while
            # its message is handled.
            tokens = [var.set(value) for var, value in ambient]
            try:
                result = await actor.handle(message)
            except VvtvError as refusal:
                if reply is not None:
                    reply.fail(refusal)
                else:
                    logger.debug("actor %s/%r refused: %s", self.kind.name, self.key, refusal)
            except Exception as crash:
                self._log_crash(crash, "handle")
                if reply is not None:
                    error = ActorCrashed(
                        f"the {self.kind.name} actor failed on this message",
                        kind=self.kind.name,
                        key=self.key,
                    )
                    error.__cause__ = crash
                    reply.fail(error)
                return _Ending.CRASHED
            except BaseException:
                # Cancelled mid-message (shutdown deadline): answer the asker before unwinding.
                if reply is not None:
                    reply.fail(ShuttingDown("the actor stopped while handling this message"))
                raise
            else:
                if reply is not None:
                    reply.succeed(result)
            finally:
                for token in reversed(tokens):
                    token.var.reset(token)

    def _give_up(self) -> None:
        self.kind.counters.gave_up += 1
        logger.error(
            "actor %s/%r crashed more than %d times in %ss; giving up on it",
            self.kind.name,
            self.key,
            self._intensity.max_restarts,
            self._intensity.window_s,
            extra={"actor_kind": self.kind.name, "actor_key": self.key},
        )
        self.detach()
        self._fail_pending(
            lambda: ActorUnavailable(
                f"the {self.kind.name} actor is unavailable",
                kind=self.kind.name,
                key=self.key,
            )
        )

    async def _stop_instance(self, actor: Actor) -> None:
        try:
            await actor.on_stop()
        except Exception:
            logger.exception(
                "actor %s/%r failed in on_stop",
                self.kind.name,
                self.key,
                extra={"actor_kind": self.kind.name, "actor_key": self.key},
            )

    def _log_crash(self, crash: Exception, where: str) -> None:
        self.kind.counters.crashes += 1
        self._intensity.crashed(trio.current_time())
        logger.error(
            "actor %s/%r crashed in %s",
            self.kind.name,
            self.key,
            where,
            exc_info=crash,
            extra={"actor_kind": self.kind.name, "actor_key": self.key},
        )

    def _fail_pending(self, make_error: Callable[[], Exception]) -> None:
        while True:
            try:
                _, reply, _ = self.mailbox.get_nowait()
            except (trio.WouldBlock, trio.EndOfChannel):
                return
            if reply is not None:
                reply.fail(make_error())
