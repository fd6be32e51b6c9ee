"""When each presence room wants its next `Tick`, on trio's clock, in one task for every room: the
actor kernel's keyed wake-ups (`vvtv.actors.wakes`). A room asks for one wake-up at a time; an
empty room asks for none, so it gets no messages and the actor kernel passivates it (PRS-4)."""

from __future__ import annotations

from collections.abc import Hashable

from vvtv.actors.wakes import Wakes


class RoomWakes(Wakes):
    def rooms(self) -> list[Hashable]:
        """The rooms waiting for a wake-up: every room that holds someone."""
        return self.keys()
