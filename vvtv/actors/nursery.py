"""A nursery for the background tasks of a context manager whose block's own error must come back
as itself, not wrapped in an ExceptionGroup, so the caller's `except SomeError` still works."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol
from typing import TypeVar

import trio


@asynccontextmanager
async def open_background_nursery() -> AsyncIterator[trio.Nursery]:
    """Its tasks must contain their own failures: then a lone error is the block's own."""
    try:
        async with trio.open_nursery() as nursery:
            yield nursery
    except BaseExceptionGroup as group:
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise


class Runs(Protocol):
    async def run(self) -> None:
        """Work in the background until cancelled, containing its own failures."""


R = TypeVar("R", bound=Runs)


@asynccontextmanager
async def open_running(owner: R, *, name: str) -> AsyncIterator[R]:
    """`owner` for the block's duration with its `run()` in a background task (named `name`),
    cancelled when the block ends."""
    # `run` only ends by cancellation, so the block's error comes back unwrapped.
    async with open_background_nursery() as nursery:
        nursery.start_soon(owner.run, name=name)
        try:
            yield owner
        finally:
            nursery.cancel_scope.cancel()
