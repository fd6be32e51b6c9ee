"""ARC-3 actor kernel: delivery — per-mailbox order, bounded mailboxes (overflow and backpressure),
ask replies, refusals and timeouts on trio's MockClock."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from vvtv.actors import AskTimeout
from vvtv.actors import MailboxFull
from vvtv.actors import UnknownActorKind
from vvtv.errors import Conflict
from vvtv.errors import Unavailable

from .recorder import KIND
from .recorder import Journal
from .recorder import Sleep
from .recorder import Wait
from .recorder import recorder_registry

pytestmark = [pytest.mark.trio, pytest.mark.req("ARC-3")]


async def test_tells_are_processed_in_order_per_mailbox(autojump_clock: trio.abc.Clock) -> None:
    """ARC-3 actor kernel: many tells to interleaved keys; each actor sees its own in send order."""
    async with recorder_registry(Journal(), mailbox_size=1000) as registry:
        for n in range(900):
            registry.tell(KIND, n % 3, n)
        for key in range(3):
            assert await registry.ask(KIND, key, "seen") == list(range(key, 900, 3))


async def test_tell_raises_mailbox_full_when_the_mailbox_is_full(
    autojump_clock: trio.abc.Clock,
) -> None:
    """ARC-3 actor kernel: overflow policy — a full mailbox makes tell and ask raise MailboxFull."""
    gate = trio.Event()
    async with recorder_registry(Journal(), mailbox_size=4) as registry:
        registry.tell(KIND, "k", Wait(gate))
        await trio.testing.wait_all_tasks_blocked()  # the actor holds the gate message
        for n in range(4):
            registry.tell(KIND, "k", n)
        with pytest.raises(MailboxFull) as full:
            registry.tell(KIND, "k", 4)
        assert isinstance(full.value, Unavailable)
        assert (full.value.status, full.value.code) == (503, "mailbox_full")
        with pytest.raises(MailboxFull):
            await registry.ask(KIND, "k", "seen")
        stats = registry.statistics()[KIND]
        assert stats.mailbox_full_total == 2
        assert stats.mailbox_depth_max == stats.queued_messages == 4
        gate.set()
        await trio.testing.wait_all_tasks_blocked()
        assert await registry.ask(KIND, "k", "seen") == [0, 1, 2, 3]


async def test_send_waits_for_room_instead_of_raising(autojump_clock: trio.abc.Clock) -> None:
    """ARC-3 actor kernel: backpressure — `send` to a full mailbox waits until there is room."""
    gate = trio.Event()
    async with recorder_registry(Journal(), mailbox_size=2) as registry:
        registry.tell(KIND, "k", Wait(gate))
        await trio.testing.wait_all_tasks_blocked()
        registry.tell(KIND, "k", 0)
        registry.tell(KIND, "k", 1)
        sent = trio.Event()

        async def sender() -> None:
            await registry.send(KIND, "k", 2)
            sent.set()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(sender)
            await trio.testing.wait_all_tasks_blocked()
            assert not sent.is_set()  # still waiting for room
            gate.set()
        assert sent.is_set()
        assert await registry.ask(KIND, "k", "seen") == [0, 1, 2]
        assert registry.statistics()[KIND].mailbox_full_total == 0


async def test_ask_returns_the_handler_reply(autojump_clock: trio.abc.Clock) -> None:
    """ARC-3 actor kernel: ask delivers what `handle` returned; tell's reply is dropped."""
    async with recorder_registry(Journal()) as registry:
        registry.tell(KIND, "k", "told")
        assert await registry.ask(KIND, "k", "asked") == "asked"
        assert await registry.ask(KIND, "k", "seen") == ["told", "asked"]


async def test_ask_times_out_at_the_configured_mock_time(autojump_clock: trio.abc.Clock) -> None:
    """ARC-3 actor kernel: a handler slower than the timeout → AskTimeout exactly at the deadline
    (settings default and per-call `timeout_s`); the actor keeps working afterwards."""
    async with recorder_registry(Journal(), ask_timeout_s=1.5) as registry:
        start = trio.current_time()
        with pytest.raises(AskTimeout) as timeout:
            await registry.ask(KIND, "k", Sleep(10))
        assert trio.current_time() - start == pytest.approx(1.5)
        assert (timeout.value.code, timeout.value.status) == ("ask_timeout", 503)
        assert (timeout.value.kind, timeout.value.key) == (KIND, "k")

        start = trio.current_time()
        with pytest.raises(AskTimeout):
            await registry.ask(KIND, "k", Sleep(10), timeout_s=0.25)
        # Queued behind the first sleep: the per-call timeout counts time spent in the mailbox.
        assert trio.current_time() - start == pytest.approx(0.25)

        assert await registry.ask(KIND, "k", "after", timeout_s=60) == "after"
        assert registry.statistics()[KIND].ask_timeouts_total == 2


async def test_a_vvtv_error_from_handle_is_a_refusal_not_a_crash(
    autojump_clock: trio.abc.Clock,
) -> None:
    """ARC-3 actor kernel: `handle` raising a VvtvError answers the asker with it; no restart."""
    journal = Journal()
    async with recorder_registry(journal) as registry:
        registry.tell(KIND, "k", "kept")
        with pytest.raises(Conflict):
            await registry.ask(KIND, "k", "refuse")
        registry.tell(KIND, "k", "refuse")  # told: logged and dropped
        assert await registry.ask(KIND, "k", "seen") == ["kept"]
        assert journal.starts["k"] == 1
        assert registry.statistics()[KIND].crashes_total == 0


async def test_an_unregistered_kind_is_a_wiring_error(autojump_clock: trio.abc.Clock) -> None:
    """Actor kernel: a message to an unknown kind raises UnknownActorKind (a bug, not a 5xx)."""
    async with recorder_registry(Journal()) as registry:
        with pytest.raises(UnknownActorKind):
            registry.tell("nobody", "k", 1)
        with pytest.raises(ValueError, match="already registered"):
            registry.register(KIND, lambda key: None)  # type: ignore[arg-type,return-value]
