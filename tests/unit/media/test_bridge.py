"""The asyncio thread under the SFU, called from trio (vvtv/media/local_sfu/bridge.py)."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Coroutine
from typing import Any

import trio

from vvtv.media.local_sfu.bridge import AsyncioThread


async def test_a_call_cancelled_before_the_loop_began_it_never_runs_and_is_closed() -> None:
    """A session's revoke cancelled at shutdown while the loop was busy: its coroutine neither
    runs nor is left for the garbage collector to call "never awaited"."""
    thread = AsyncioThread("bridge-test")
    thread.start()
    busy = threading.Event()
    thread.call_soon(busy.wait)  # the loop cannot begin anything queued after this yet
    made: list[Coroutine[Any, Any, None]] = []
    ran: list[bool] = []

    async def work() -> None:
        ran.append(True)

    def make() -> Coroutine[Any, Any, None]:
        made.append(work())
        return made[0]

    try:
        with trio.CancelScope() as scope:
            scope.cancel()
            await thread.call(make)
        assert scope.cancelled_caught
        busy.set()

        async def after() -> str:
            return "the loop went on"

        assert await thread.call(after) == "the loop went on"  # queued after the close
        assert inspect.getcoroutinestate(made[0]) == inspect.CORO_CLOSED
        assert ran == []
    finally:
        busy.set()
        await thread.stop()


async def test_a_call_returns_what_the_coroutine_returns() -> None:
    thread = AsyncioThread("bridge-test")
    thread.start()

    async def answer() -> int:
        return 42

    try:
        assert await thread.call(answer) == 42
    finally:
        await thread.stop()
