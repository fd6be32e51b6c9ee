"""ARC-3 actor kernel, property: any interleaving of messages to random keys, with crashes and idle
gaps (restarts, passivation) in between, reaches each key's actor in the order it was sent."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import trio
import trio.testing
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from vvtv.actors import ActorSettings
from vvtv.actors import BaseActor
from vvtv.actors import open_registry

pytestmark = pytest.mark.req("ARC-3")


class Appender(BaseActor):
    """Appends to a log that outlives the instance (persisted state, as a real actor reloads)."""

    kind = "appender"

    def __init__(self, key: int, log: dict[int, list[int]]) -> None:
        self.key = key
        self.log = log

    async def handle(self, message: Any) -> Any:
        if message == "crash":
            raise RuntimeError("crash on purpose")
        self.log[self.key].append(message)
        return None


keys = st.integers(min_value=0, max_value=4)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("send"), keys),
        st.tuples(st.just("crash"), keys),
        st.tuples(st.just("idle"), st.sampled_from([0.5, 3.0, 10.0])),
    ),
    max_size=120,
)


@settings(max_examples=60, deadline=None)
@given(operations)
def test_messages_reach_each_actor_in_send_order(ops: list[tuple[str, Any]]) -> None:
    """ARC-3 actor kernel: per-key order survives crashes, restarts and passivation."""
    log: dict[int, list[int]] = defaultdict(list)
    expected: dict[int, list[int]] = defaultdict(list)
    actor_settings = ActorSettings(
        mailbox_size=4,
        ask_timeout_s=100,
        idle_passivate_s=5,
        max_restarts=1000,
        restart_window_s=1,
    )

    async def scenario() -> None:
        async with open_registry(actor_settings) as registry:
            registry.register(Appender.kind, lambda key: Appender(key, log))
            for sequence, (op, arg) in enumerate(ops):
                if op == "send":
                    await registry.send(Appender.kind, arg, sequence)
                    expected[arg].append(sequence)
                elif op == "crash":
                    await registry.send(Appender.kind, arg, "crash")
                else:
                    await trio.sleep(arg)

    trio.run(scenario, clock=trio.testing.MockClock(autojump_threshold=0))
    assert dict(log) == dict(expected)
