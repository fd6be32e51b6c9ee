"""Supervised services: a long-running task (a loop that never returns on its own) run in its
caller's task and restarted after each crash within a restart intensity, then given up on: OTP's
worker child beside the actors' gen_servers. The registry counts them as it counts an actor kind.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from collections.abc import Callable

import trio

from .errors import GaveUp
from .intensity import RestartIntensity
from .statistics import KindCounters

logger = logging.getLogger("vvtv.actors")


class Service:
    """One service name's counters and how many of its runs are live."""

    __slots__ = ("counters", "live")

    def __init__(self) -> None:
        self.counters = KindCounters()
        self.live = 0


async def supervise(
    name: str,
    service: Service,
    run: Callable[[], Awaitable[None]],
    intensity: RestartIntensity,
    *,
    on_crash: Callable[[Exception], None] | None,
    backoff_s: float,
) -> None:
    counters = service.counters
    counters.spawns += 1
    service.live += 1
    try:
        while True:
            try:
                await run()
                return
            except Exception as crash:
                counters.crashes += 1
                now = trio.current_time()
                intensity.crashed(now)
                logger.error(
                    "service %s crashed", name, exc_info=crash,
                    extra={"actor_kind": name, "actor_key": None},
                )  # fmt: skip
                if on_crash is not None:
                    on_crash(crash)
                if intensity.exceeded(now):
                    counters.gave_up += 1
                    raise GaveUp(name, intensity.max_restarts, intensity.window_s) from crash
            # A pause before the restart, so a failure that repeats at once is not a hot loop.
            await trio.sleep(backoff_s)
            counters.restarts += 1
            logger.warning("restarting service %s", name)
    finally:
        service.live -= 1
