"""`vvtv serve`'s garbage-collection policy (FrozenHeap): what survived is frozen, so full
collections skip it, and a thaw now and then frees what died frozen in a reference cycle."""

from __future__ import annotations

import gc
import weakref

import trio
import trio.testing

from vvtv.config.schema.limits import GcLimits
from vvtv.server import FrozenHeap

LIMITS = GcLimits(freeze_every_s=1.0, thaw_every_s=10.0)


class _Cycle:
    def __init__(self) -> None:
        self.me = self


async def test_survivors_are_frozen_and_a_thaw_frees_what_died_frozen_in_a_cycle(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with trio.open_nursery() as nursery:
        nursery.start_soon(FrozenHeap(LIMITS).run)
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        await trio.sleep(1.5)
        assert gc.get_freeze_count() > 0
        del cycle
        gc.collect()  # a full collection: frozen objects are not looked at
        assert gone() is not None
        await trio.sleep(LIMITS.thaw_every_s)
        assert gone() is None  # thawed and collected
        assert gc.get_freeze_count() > 0  # and frozen again
        nursery.cancel_scope.cancel()
    assert gc.get_freeze_count() == 0  # stopped: Python's collector as it was
