"""A nursery for the background tasks of a context manager whose block's own error must come back
as itself, not wrapped in an ExceptionGroup, so the caller's `except SomeError` still works."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
