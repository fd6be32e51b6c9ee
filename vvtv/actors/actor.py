"""What an actor kind is: an object the kernel builds per key and feeds one message at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import ClassVar
from typing import Protocol


class Actor(Protocol):
    """One actor instance: `handle` runs one message at a time; its return value is the reply.

    `handle` may raise a `VvtvError` to refuse a message: the asker gets that error and the actor
    keeps running. Any other exception is a crash (the supervisor restarts the actor).
    """

    kind: ClassVar[str]

    async def on_start(self) -> None:
        """Called at spawn and at each restart, before any message (e.g. reload persisted state)."""

    async def handle(self, message: Any) -> Any:
        """Process one message; the return value goes to an `ask`er and is ignored for `tell`."""

    async def on_stop(self) -> None:
        """Called at passivation, give-up, after a crash and at shutdown: release what it owns."""


class BaseActor:
    """A convenient base: no-op `on_start`/`on_stop`; subclasses set `kind` and write `handle`."""

    kind: ClassVar[str]

    async def on_start(self) -> None:
        return None

    async def handle(self, message: Any) -> Any:
        raise NotImplementedError

    async def on_stop(self) -> None:
        return None


ActorFactory = Callable[[Any], Actor]
"""Builds a fresh actor for a key; closes over its dependencies (store, clock, ...)."""
