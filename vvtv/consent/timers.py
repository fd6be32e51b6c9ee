"""When each invitee's inbox wants its next `Tick` (an expiry, CNS-4), on trio's clock: one
sleeping task per inbox that waits for anything, replaced whenever the inbox asks again."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable

import trio


class InboxTimers:
    def __init__(self, on_due: Callable[[str], Awaitable[None]]) -> None:
        self._on_due = on_due
        self._scopes: dict[str, trio.CancelScope] = {}
        self._nursery: trio.Nursery | None = None
        self._before_run: dict[str, float] = {}
        self._stopped = False

    def set(self, invitee: str, at: float | None) -> None:
        """Wake `invitee`'s inbox at `at` (trio time), replacing any earlier wake; None: never."""
        previous = self._scopes.pop(invitee, None)
        if previous is not None:
            previous.cancel()
        self._before_run.pop(invitee, None)
        if at is None or self._stopped:
            return
        if self._nursery is None:
            self._before_run[invitee] = at
            return
        scope = self._scopes[invitee] = trio.CancelScope()
        self._nursery.start_soon(self._sleep, invitee, at, scope)

    async def run(self) -> None:
        """Run the timers until cancelled."""
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                for invitee, at in list(self._before_run.items()):
                    self.set(invitee, at)
                await trio.sleep_forever()
        finally:
            # Shutting down: inboxes still answering their last messages wake no more.
            self._stopped = True

    async def _sleep(self, invitee: str, at: float, scope: trio.CancelScope) -> None:
        with scope:
            await trio.sleep_until(at)
        if scope.cancelled_caught:
            return
        # Gone from the table first: the Tick's own answer sets the next wake-up.
        if self._scopes.get(invitee) is scope:
            del self._scopes[invitee]
        await self._on_due(invitee)
