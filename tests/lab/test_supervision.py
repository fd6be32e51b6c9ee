"""Supervision of the transmitter and the pipeline (LAB-7): restart after a crash, within limits."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from vvtv.lab.supervision import GaveUp, supervise


async def test_a_crash_is_restarted_and_too_many_give_up(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """LAB-7: automatic restart; past max_restarts within the window the supervisor gives up."""
    runs: list[float] = []
    crashes: list[BaseException] = []

    async def flaky() -> None:
        runs.append(trio.current_time())
        if len(runs) < 3:
            raise RuntimeError("disk full")

    await supervise("t", flaky, max_restarts=5, window_s=60, on_crash=crashes.append)
    assert len(runs) == 3
    assert len(crashes) == 2

    async def broken() -> None:
        raise RuntimeError("always")

    with pytest.raises(GaveUp):
        await supervise("t", broken, max_restarts=2, window_s=60)


async def test_old_crashes_leave_the_window(autojump_clock: trio.testing.MockClock) -> None:
    """LAB-7: crashes spread out over time never exhaust the restart budget."""
    runs = 0

    async def crashes_now_and_then() -> None:
        nonlocal runs
        runs += 1
        if runs < 6:
            await trio.sleep(100)
            raise RuntimeError("rare")

    await supervise("t", crashes_now_and_then, max_restarts=1, window_s=60)
    assert runs == 6
