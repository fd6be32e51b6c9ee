"""ARC-3 actor kernel: supervision — a crash is contained, counted, logged and restarted alone;
too many crashes in the window and the supervisor gives up on that key only."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from vvtv.actors import ActorCrashed
from vvtv.actors import ActorUnavailable

from .recorder import KIND
from .recorder import Journal
from .recorder import Wait
from .recorder import recorder_registry

pytestmark = [pytest.mark.trio, pytest.mark.req("ARC-3")]


async def test_a_crash_is_isolated_and_the_actor_restarted(
    autojump_clock: trio.abc.Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """ARC-3 actor kernel: crash one of 100 actors; the 99 others still answer; the crashed one is
    restarted (fresh instance, on_start again), answers again; crash and restart are counted."""
    journal = Journal()
    async with recorder_registry(journal) as registry:
        for key in range(100):
            registry.tell(KIND, key, f"before-{key}")
        with pytest.raises(ActorCrashed) as crashed:
            await registry.ask(KIND, 42, "crash")
        assert crashed.value.code == "actor_crashed"
        assert isinstance(crashed.value.__cause__, RuntimeError)
        for key in range(100):
            expected = [] if key == 42 else [f"before-{key}"]  # 42 lost its in-memory state
            assert await registry.ask(KIND, key, "seen") == expected
        assert await registry.ask(KIND, 42, "again") == "again"
        assert journal.starts[42] == 2
        assert journal.stops[42] == 1
        assert all(journal.starts[key] == 1 for key in range(100) if key != 42)
        stats = registry.statistics()[KIND]
        assert (stats.crashes_total, stats.restarts_total, stats.gave_up_total) == (1, 1, 0)
        assert (stats.spawns_total, stats.actors_live) == (100, 100)
    crash_logs = [r for r in caplog.records if r.name == "vvtv.actors" and r.levelname == "ERROR"]
    assert len(crash_logs) == 1
    assert (crash_logs[0].actor_kind, crash_logs[0].actor_key) == (KIND, 42)  # type: ignore[attr-defined]
    assert crash_logs[0].exc_info is not None


async def test_messages_queued_behind_a_crash_are_still_served(
    autojump_clock: trio.abc.Clock,
) -> None:
    """ARC-3 actor kernel: the restarted instance goes on with the messages left in the mailbox."""
    async with recorder_registry(Journal()) as registry:
        registry.tell(KIND, "k", "crash")
        registry.tell(KIND, "k", 1)
        registry.tell(KIND, "k", 2)
        assert await registry.ask(KIND, "k", "seen") == [1, 2]


async def test_the_supervisor_gives_up_after_max_restarts_in_the_window(
    autojump_clock: trio.abc.Clock,
) -> None:
    """ARC-3 actor kernel: more than max_restarts crashes within restart_window_s → give up: queued
    askers get ActorUnavailable, the entry is dropped, a later message spawns a fresh actor."""
    journal = Journal()
    async with recorder_registry(journal, max_restarts=2, restart_window_s=10) as registry:
        gate = trio.Event()
        registry.tell(KIND, "k", Wait(gate))
        for _ in range(3):
            registry.tell(KIND, "k", "crash")
        outcomes: list[ActorUnavailable] = []

        async def queued_ask() -> None:
            try:
                await registry.ask(KIND, "k", "never")
            except ActorUnavailable as error:
                outcomes.append(error)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(queued_ask)
            await trio.testing.wait_all_tasks_blocked()  # the ask waits behind the crashes
            gate.set()
        assert [error.code for error in outcomes] == ["actor_unavailable"]
        stats = registry.statistics()[KIND]
        assert (stats.crashes_total, stats.restarts_total, stats.gave_up_total) == (3, 2, 1)
        assert stats.actors_live == 0
        assert await registry.ask(KIND, "k", "fresh") == "fresh"
        stats = registry.statistics()[KIND]
        assert (stats.spawns_total, stats.actors_live) == (2, 1)
        assert journal.starts["k"] == 4  # 3 instances of the first actor, 1 of the fresh one


async def test_crashes_spread_wider_than_the_window_never_give_up(
    autojump_clock: trio.abc.Clock,
) -> None:
    """ARC-3 actor kernel: the restart intensity is per window — old crashes age out."""
    async with recorder_registry(Journal(), max_restarts=1, restart_window_s=10) as registry:
        for _ in range(5):
            with pytest.raises(ActorCrashed):
                await registry.ask(KIND, "k", "crash")
            await trio.sleep(11)  # the previous crash leaves the 10 s window
        stats = registry.statistics()[KIND]
        assert (stats.crashes_total, stats.restarts_total, stats.gave_up_total) == (5, 5, 0)
        assert await registry.ask(KIND, "k", "alive") == "alive"


async def test_a_failing_on_start_counts_as_a_crash(autojump_clock: trio.abc.Clock) -> None:
    """ARC-3 actor kernel: on_start raising is a crash too; the supervisor retries, gives up."""
    journal = Journal(crash_on_start={"bad"})
    async with recorder_registry(journal, max_restarts=2) as registry:
        with pytest.raises(ActorUnavailable):
            await registry.ask(KIND, "bad", "hello")
        assert journal.starts["bad"] == 3
        assert journal.stops["bad"] == 0  # never started, nothing to stop
        stats = registry.statistics()[KIND]
        assert (stats.crashes_total, stats.gave_up_total) == (3, 1)
        assert await registry.ask(KIND, "good", "hello") == "hello"
