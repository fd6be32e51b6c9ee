"""The kernel carries chosen context variables from each sender into the actor while it handles
that message (TEL-7's trace id), whoever spawned the actor and whatever it handled before."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import trio

from vvtv.actors import ActorSettings
from vvtv.actors import BaseActor
from vvtv.actors import open_registry

TRACE: ContextVar[str | None] = ContextVar("test_trace", default=None)
UNCARRIED: ContextVar[str | None] = ContextVar("test_uncarried", default=None)
SETTINGS = ActorSettings(
    mailbox_size=8, ask_timeout_s=5, idle_passivate_s=60, max_restarts=3, restart_window_s=60
)


class Seen(BaseActor):
    kind = "seen"

    def __init__(self) -> None:
        self.told: list[str | None] = []

    async def handle(self, message: Any) -> Any:
        if message == "tell":
            self.told.append(TRACE.get())
            return None
        if message == "told":
            return self.told
        return TRACE.get(), UNCARRIED.get()


async def test_each_message_is_handled_under_its_sender_s_value() -> None:
    """TEL-7: asks and tells from three senders to one actor each see their own trace."""
    async with open_registry(SETTINGS) as registry:
        registry.carry(TRACE)
        registry.register(Seen.kind, lambda key: Seen())
        answers: dict[str, object] = {}

        async def sender(trace: str) -> None:
            TRACE.set(trace)
            UNCARRIED.set(trace)
            registry.tell(Seen.kind, "one", "tell")
            answers[trace] = await registry.ask(Seen.kind, "one", "ask")

        async with trio.open_nursery() as nursery:
            for trace in ("a", "b", "c"):
                nursery.start_soon(sender, trace)
        assert {trace: seen[0] for trace, seen in answers.items()} == {"a": "a", "b": "b", "c": "c"}
        # What is not carried is whatever the actor's task started with (its spawner's value):
        # the same for every message, which is why a trace id must be carried.
        assert len({seen[1] for seen in answers.values()}) == 1
        assert sorted(await registry.ask(Seen.kind, "one", "told")) == ["a", "b", "c"]
        # Outside any trace, nothing lingers from the messages before.
        assert (await registry.ask(Seen.kind, "one", "ask"))[0] is None
