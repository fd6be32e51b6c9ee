"""What prepare leaves behind for the operator: loudness measurements and QA rejections.
`StoreJournal` keeps them in the lab store; `MemoryJournal` is the fake."""

from __future__ import annotations

from typing import Protocol

from vvtv.clock import WallClock
from vvtv.lab.store import LabStore
from vvtv.lab.store import Rejection


class PrepareJournal(Protocol):
    async def loudness(
        self, prepared_id: str, item_id: str, target_lufs: float, measurement: str
    ) -> None: ...

    async def rejected(self, item_id: str, reason: str, detail: str) -> None: ...


class StoreJournal:
    def __init__(self, store: LabStore, clock: WallClock) -> None:
        self._store = store
        self._clock = clock

    async def loudness(
        self, prepared_id: str, item_id: str, target_lufs: float, measurement: str
    ) -> None:
        await self._store.record_loudness(
            prepared_id, item_id, target_lufs, measurement, self._clock()
        )

    async def rejected(self, item_id: str, reason: str, detail: str) -> None:
        rejection = Rejection(item_id=item_id, reason=reason, detail=detail)
        await self._store.record_rejection(rejection, self._clock())


class MemoryJournal:
    def __init__(self) -> None:
        self.measurements: dict[str, str] = {}
        self.rejections: list[Rejection] = []

    async def loudness(
        self, prepared_id: str, item_id: str, target_lufs: float, measurement: str
    ) -> None:
        self.measurements[prepared_id] = measurement

    async def rejected(self, item_id: str, reason: str, detail: str) -> None:
        self.rejections.append(Rejection(item_id=item_id, reason=reason, detail=detail))
