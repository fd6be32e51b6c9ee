"""Restart a crashed task within limits (OTP's max_restarts within max_seconds), so one failure
never silences the channel; past the limit the failure is re-raised for the operator to see."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable

import trio

log = logging.getLogger(__name__)


class GaveUp(Exception):
    def __init__(self, name: str, restarts: int, window_s: float) -> None:
        super().__init__(f"{name} crashed {restarts} times within {window_s:.0f} s; giving up")
        self.name = name


async def supervise(
    name: str,
    run: Callable[[], Awaitable[None]],
    *,
    max_restarts: int,
    window_s: float,
    on_crash: Callable[[BaseException], None] = lambda error: None,
    backoff_s: float = 0.5,
) -> None:
    """Run `run` until it returns; restart it after each crash unless too many crashes are
    recent, then raise GaveUp. Cancellation passes through untouched."""
    crashes: deque[float] = deque()
    while True:
        try:
            await run()
            return
        except Exception as error:
            log.exception("%s crashed", name)
            on_crash(error)
            now = trio.current_time()
            crashes.append(now)
            while crashes and now - crashes[0] > window_s:
                crashes.popleft()
            if len(crashes) > max_restarts:
                raise GaveUp(name, len(crashes), window_s) from error
        await trio.sleep(backoff_s)
        log.warning("restarting %s", name)
