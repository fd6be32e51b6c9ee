"""ARC-3 actor kernel: lifecycle — idle passivation and re-spawn, graceful shutdown that drains
mailboxes and calls on_stop within a deadline, the statistics snapshot, and a background task
that lives as long as a block."""

from __future__ import annotations

import msgspec
import pytest
import trio
import trio.testing

from vvtv.actors import AskTimeout
from vvtv.actors import KindStatistics
from vvtv.actors import MailboxFull
from vvtv.actors import ShuttingDown
from vvtv.actors import open_running

from .recorder import KIND
from .recorder import Journal
from .recorder import Sleep
from .recorder import Wait
from .recorder import recorder_registry

pytestmark = [pytest.mark.trio, pytest.mark.req("ARC-3")]


async def test_an_idle_actor_passivates_and_respawns_on_the_next_message(
    autojump_clock: trio.abc.Clock,
) -> None:
    """ARC-3 actor kernel: idle for idle_passivate_s → on_stop, removed, counted; the next message
    spawns it again (on_start) with fresh state."""
    journal = Journal()
    async with recorder_registry(journal, idle_passivate_s=30) as registry:
        assert await registry.ask(KIND, "k", "one") == "one"
        last_message_at = trio.current_time()
        await trio.sleep(29.9)
        assert registry.statistics()[KIND].actors_live == 1
        assert journal.stops["k"] == 0
        await trio.sleep(0.2)
        stop_at = [at for event, _, at in journal.events if event == "stop"]
        assert stop_at == [pytest.approx(last_message_at + 30)]
        stats = registry.statistics()[KIND]
        assert (stats.actors_live, stats.passivations_total) == (0, 1)

        assert await registry.ask(KIND, "k", "seen") == []  # a fresh instance
        assert journal.starts["k"] == 2
        stats = registry.statistics()[KIND]
        assert (stats.actors_live, stats.spawns_total) == (1, 2)


async def test_many_idle_actors_passivate_together(autojump_clock: trio.abc.Clock) -> None:
    """ARC-3 actor kernel: a thousand actors idle since the same moment all passivate at once."""
    journal = Journal()
    async with recorder_registry(journal, idle_passivate_s=7.3) as registry:
        for key in range(1000):
            registry.tell(KIND, key, "hello")
        await trio.sleep(7.2)
        assert registry.statistics()[KIND].actors_live == 1000
        await trio.sleep(0.2)
        stats = registry.statistics()[KIND]
        assert (stats.actors_live, stats.passivations_total) == (0, 1000)
        assert sum(journal.stops.values()) == 1000


async def test_a_busy_actor_is_not_passivated(autojump_clock: trio.abc.Clock) -> None:
    """ARC-3 actor kernel: idleness counts from the last message handled, not while handling one;
    regular messages keep an actor alive."""
    journal = Journal()
    async with recorder_registry(journal, idle_passivate_s=10, ask_timeout_s=100) as registry:
        assert await registry.ask(KIND, "k", Sleep(50)) == "slept"
        for n in range(5):
            await trio.sleep(9)
            registry.tell(KIND, "k", n)
        await trio.sleep(9)
        assert journal.stops["k"] == 0
        assert await registry.ask(KIND, "k", "seen") == [0, 1, 2, 3, 4]
        assert registry.statistics()[KIND].passivations_total == 0


async def test_a_successor_starts_only_after_its_predecessor_stopped(
    autojump_clock: trio.abc.Clock,
) -> None:
    """ARC-3 actor kernel: a message arriving while the passivated actor runs on_stop is queued;
    the new instance's on_start waits for that on_stop (no race over persisted state)."""
    journal = Journal(slow_stop_s=5)
    async with recorder_registry(journal, idle_passivate_s=10, ask_timeout_s=60) as registry:
        start = trio.current_time()
        registry.tell(KIND, "k", "first")
        await trio.sleep(11)  # passivated at 10; its on_stop runs until 15
        assert await registry.ask(KIND, "k", "second") == "second"
        timeline = [(event, round(at - start, 6)) for event, _, at in journal.events]
        assert timeline == [("start", 0), ("stop-begin", 10), ("stop", 15), ("start", 15)]


async def test_graceful_shutdown_drains_queued_messages_and_calls_on_stop(
    autojump_clock: trio.abc.Clock,
) -> None:
    """ARC-3 actor kernel: aclose refuses new messages (ShuttingDown), lets every actor finish what
    is already in its mailbox (queued asks get their replies), calls on_stop, then returns."""
    journal = Journal()
    gate = trio.Event()
    replies: list[object] = []
    async with recorder_registry(journal) as registry:
        registry.tell(KIND, "a", Wait(gate))
        await trio.testing.wait_all_tasks_blocked()
        for n in range(5):
            registry.tell(KIND, "a", n)
            registry.tell(KIND, "b", n)

        async def queued_ask() -> None:
            replies.append(await registry.ask(KIND, "a", "seen"))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(queued_ask)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(registry.aclose)
            await trio.testing.wait_all_tasks_blocked()
            assert not registry.running
            with pytest.raises(ShuttingDown) as refused:
                registry.tell(KIND, "a", "late")
            assert (refused.value.code, refused.value.status) == ("shutting_down", 503)
            with pytest.raises(ShuttingDown):
                await registry.ask(KIND, "c", "late")
            assert journal.stops["a"] == 0  # still draining behind the gate
            gate.set()
        assert replies == [[0, 1, 2, 3, 4]]
        assert journal.stops == {"a": 1, "b": 1}
        assert "c" not in journal.starts
        stats = registry.statistics()[KIND]
        assert (stats.actors_live, stats.messages_processed_total) == (0, 12)


async def test_shutdown_deadline_cancels_actors_that_do_not_finish(
    autojump_clock: trio.abc.Clock,
) -> None:
    """ARC-3 actor kernel: aclose(timeout_s) bounds shutdown; the in-flight and queued askers of a
    stuck actor get ShuttingDown instead of waiting forever."""
    errors: list[str] = []
    async with recorder_registry(Journal(), ask_timeout_s=1000) as registry:

        async def ask(message: object) -> None:
            try:
                await registry.ask(KIND, "stuck", message)
            except ShuttingDown as error:
                errors.append(error.code)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(ask, Sleep(10_000))
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(ask, "queued")
            await trio.testing.wait_all_tasks_blocked()
            start = trio.current_time()
            await registry.aclose(timeout_s=5)
            assert trio.current_time() - start == pytest.approx(5)
        assert errors == ["shutting_down", "shutting_down"]


async def test_statistics_are_an_exact_immutable_snapshot(autojump_clock: trio.abc.Clock) -> None:
    """Actor kernel: statistics() per kind counts spawns, messages, crashes, restarts, timeouts,
    overflows and mailbox depth exactly, and is a frozen value."""
    gate = trio.Event()
    async with recorder_registry(Journal(), mailbox_size=3, ask_timeout_s=1) as registry:
        registry.register("other", lambda key: None)  # type: ignore[arg-type,return-value]
        empty = registry.statistics()
        assert set(empty) == {KIND, "other"}
        assert empty[KIND] == KindStatistics(
            actors_live=0,
            queued_messages=0,
            mailbox_depth_max=0,
            messages_processed_total=0,
            crashes_total=0,
            restarts_total=0,
            gave_up_total=0,
            passivations_total=0,
            spawns_total=0,
            ask_timeouts_total=0,
            mailbox_full_total=0,
        )
        for key in "xyz":
            await registry.ask(KIND, key, 1)
        registry.tell(KIND, "x", "crash")
        with pytest.raises(AskTimeout):
            await registry.ask(KIND, "y", Sleep(2))
        registry.tell(KIND, "z", Wait(gate))
        await trio.testing.wait_all_tasks_blocked()
        registry.tell(KIND, "z", 2)
        registry.tell(KIND, "z", 3)
        registry.tell(KIND, "y", 4)
        registry.tell(KIND, "z", 5)
        with pytest.raises(MailboxFull):
            registry.tell(KIND, "z", 6)
        snapshot = registry.statistics()[KIND]
        assert snapshot == KindStatistics(
            actors_live=3,
            queued_messages=4,
            mailbox_depth_max=3,
            messages_processed_total=6,  # 3 asks, the crash, the sleep, the gate
            crashes_total=1,
            restarts_total=1,
            gave_up_total=0,
            passivations_total=0,
            spawns_total=3,
            ask_timeouts_total=1,
            mailbox_full_total=1,
        )
        with pytest.raises(AttributeError):
            snapshot.crashes_total = 0  # type: ignore[misc]
        assert msgspec.structs.asdict(snapshot)["spawns_total"] == 3
        gate.set()


class Ticker:
    def __init__(self) -> None:
        self.ticks = 0
        self.cancelled = False

    async def run(self) -> None:
        try:
            while True:
                await trio.sleep(1)
                self.ticks += 1
        except trio.Cancelled:
            self.cancelled = True
            raise


async def test_open_running_runs_its_owner_for_the_block_and_lets_its_error_through(
    autojump_clock: trio.abc.Clock,
) -> None:
    """Actor kernel: the owner's `run` works while the block does and is cancelled when it ends;
    the block's own error is not wrapped in an ExceptionGroup."""
    ticker = Ticker()

    async def block() -> None:
        async with open_running(ticker, name="ticker") as running:
            assert running is ticker
            await trio.sleep(3.5)
            assert ticker.ticks == 3
            raise KeyError("the block's own")

    with pytest.raises(KeyError):
        await block()
    assert ticker.cancelled
