"""The rooms' one wake-up timer on trio's MockClock: the latest request wins, a room that could
not be told is tried again, a cancelled wake-up never fires."""

from __future__ import annotations

from collections.abc import Hashable

import trio
import trio.testing

from vvtv.presence.wakes import RoomWakes


async def test_the_latest_wake_up_wins_and_a_full_mailbox_is_tried_again(
    autojump_clock: trio.testing.MockClock,
) -> None:
    calls: list[tuple[Hashable, float]] = []

    def on_due(key: Hashable) -> float | None:
        now = trio.current_time()
        calls.append((key, now))
        first_try = len(calls) == 1
        return now + 0.25 if first_try else None  # the first time, its mailbox was full

    wakes = RoomWakes(on_due)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(wakes.run)
        start = trio.current_time()
        wakes.set("party", start + 1)
        wakes.set("party", start + 2)  # replaces the first
        wakes.set("random", start + 1)
        wakes.set("random", None)  # emptied: no wake-up
        await trio.sleep(5)
        nursery.cancel_scope.cancel()
    assert calls == [("party", start + 2), ("party", start + 2.25)]
    assert wakes.rooms() == []
