"""A one-shot reply slot for `ask`: cheaper than a channel or an Event per ask."""

from __future__ import annotations

from typing import Any

import trio


class Reply:
    """Filled once (`succeed`/`fail`) by the actor or the timer, awaited once by the asker (`wait`).

    If the asker stops waiting (cancellation), a later fill is dropped.
    """

    __slots__ = ("_error", "_task", "_value", "done")

    def __init__(self) -> None:
        self._task: trio.lowlevel.Task | None = None
        self.done = False
        self._value: Any = None
        self._error: BaseException | None = None

    def succeed(self, value: Any) -> None:
        if not self.done:
            self.done = True
            self._value = value
            self._wake()

    def fail(self, error: BaseException) -> None:
        if not self.done:
            self.done = True
            self._error = error
            self._wake()

    def _wake(self) -> None:
        task = self._task
        if task is not None:
            self._task = None
            trio.lowlevel.reschedule(task)

    async def wait(self) -> Any:
        """The value, or raise the error; always a checkpoint (parks unless already filled)."""
        if self.done:
            await trio.lowlevel.checkpoint()
        else:
            self._task = trio.lowlevel.current_task()

            def abort(_: object) -> trio.lowlevel.Abort:
                self._task = None
                self.done = True  # abandoned: a late fill is dropped
                return trio.lowlevel.Abort.SUCCEEDED

            await trio.lowlevel.wait_task_rescheduled(abort)
        if self._error is not None:
            raise self._error
        return self._value
