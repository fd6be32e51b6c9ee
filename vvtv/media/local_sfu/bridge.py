"""An asyncio event loop on a thread of its own, callable from trio without blocking trio.

aiortc is asyncio; running it here keeps media work off trio's loop (measured: trio loop lag stays
≤ a few ms with 20 relayed streams). trio → asyncio: `run_coroutine_threadsafe`; asyncio → trio:
`TrioToken.run_sync_soon` (a completed call wakes its trio waiter; events go to a memory channel).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections.abc import Callable
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any
from typing import TypeVar

import trio

T = TypeVar("T")


class AsyncioThread:
    """Owns one asyncio loop on one daemon thread; `start` then `call`, finally `stop`."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError(f"{self._name} is not running")
        return self._loop

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._ready.set()
        try:
            loop.run_forever()
            # Whatever is still pending after stop() would leak: cancel and let it unwind.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()

    async def call(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run `make()` on the asyncio loop and await its result from trio. Cancelling the trio
        caller cancels the asyncio task too."""
        token = trio.lowlevel.current_trio_token()
        done = trio.Event()

        def wake(_: Future[T]) -> None:
            # If the trio run ended while we worked, nobody is waiting any more.
            with contextlib.suppress(trio.RunFinishedError):
                token.run_sync_soon(done.set)

        coroutine = make()
        try:
            future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        except RuntimeError:  # the loop closed meanwhile (shutting down): it will never run
            coroutine.close()
            raise
        future.add_done_callback(wake)
        try:
            await done.wait()
        except BaseException:
            future.cancel()
            # Cancelled before the loop began it, the coroutine never runs: the loop closes it
            # (after it has seen the cancel), or it would be garbage "never awaited".
            with contextlib.suppress(RuntimeError):  # the loop is gone: nothing runs it anyway
                self.loop.call_soon_threadsafe(_close_if_unstarted, coroutine)
            raise
        return future.result()

    def call_soon(self, callback: Callable[[], object]) -> None:
        """Schedule a plain callback on the asyncio loop (fire and forget)."""
        self.loop.call_soon_threadsafe(callback)

    async def stop(self) -> None:
        """Stop the loop (pending tasks are cancelled) and join the thread without blocking trio."""
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        await trio.to_thread.run_sync(self._thread.join)
        self._loop = None
        self._thread = None


def _close_if_unstarted(coroutine: Coroutine[Any, Any, object]) -> None:
    if inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
        coroutine.close()
