"""ARC-3 actor kernel: supervised services — a long-running task restarted after a crash within
the restart intensity, given up on past it, counted like an actor kind (LAB-7 runs on it)."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from vvtv.actors import GaveUp

from .recorder import KIND
from .recorder import Journal
from .recorder import recorder_registry

pytestmark = [pytest.mark.trio, pytest.mark.req("ARC-3", "LAB-7")]


async def test_a_crashed_service_restarts_after_its_backoff_and_too_many_crashes_give_up(
    autojump_clock: trio.abc.Clock,
) -> None:
    """Each crash is reported to `on_crash`; the next run starts `backoff_s` later; past
    max_restarts crashes within the window the supervisor raises GaveUp (last crash as cause)."""
    runs: list[float] = []
    crashes: list[Exception] = []

    async def flaky() -> None:
        runs.append(trio.current_time())
        if len(runs) < 3:
            raise RuntimeError("disk full")

    async with recorder_registry(Journal(), max_restarts=3, restart_window_s=60) as registry:
        await registry.supervise("flaky", flaky, on_crash=crashes.append, backoff_s=0.5)
        assert runs == [0.0, 0.5, 1.0]
        assert [str(crash) for crash in crashes] == ["disk full", "disk full"]

        async def broken() -> None:
            raise RuntimeError("always")

        with pytest.raises(GaveUp) as gave_up:
            await registry.supervise("broken", broken, max_restarts=2, restart_window_s=60)
        assert isinstance(gave_up.value.__cause__, RuntimeError)
        flaky_stats, broken_stats = registry.statistics()["flaky"], registry.statistics()["broken"]
    assert (flaky_stats.spawns_total, flaky_stats.crashes_total) == (1, 2)
    assert (flaky_stats.restarts_total, flaky_stats.gave_up_total) == (2, 0)
    assert (broken_stats.crashes_total, broken_stats.gave_up_total) == (3, 1)
    assert broken_stats.actors_live == 0


async def test_crashes_spread_over_time_never_exhaust_the_intensity(
    autojump_clock: trio.abc.Clock,
) -> None:
    runs = 0

    async def crashes_now_and_then() -> None:
        nonlocal runs
        runs += 1
        if runs < 6:
            await trio.sleep(100)
            raise RuntimeError("rare")

    async with recorder_registry(Journal(), max_restarts=1, restart_window_s=60) as registry:
        await registry.supervise("rare", crashes_now_and_then)
    assert runs == 6


async def test_a_running_service_is_live_and_cancellation_is_not_a_crash(
    autojump_clock: trio.abc.Clock,
) -> None:
    async with recorder_registry(Journal()) as registry:
        with trio.move_on_after(10):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(registry.supervise, "loop", trio.sleep_forever)
                await trio.sleep(1)
                assert registry.statistics()["loop"].actors_live == 1
        stats = registry.statistics()["loop"]
    assert (stats.actors_live, stats.crashes_total, stats.spawns_total) == (0, 0, 1)


async def test_a_service_name_is_not_an_actor_kind(autojump_clock: trio.abc.Clock) -> None:
    async with recorder_registry(Journal()) as registry:
        with pytest.raises(ValueError, match="actor kind"):
            await registry.supervise(KIND, trio.sleep_forever)
        await registry.supervise("once", trio.lowlevel.checkpoint)
        with pytest.raises(ValueError, match="already registered"):
            registry.register("once", lambda key: None)  # type: ignore[arg-type,return-value]
