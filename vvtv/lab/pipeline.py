"""The pipeline: plan → fetch → prepare & QA → queue, keeping the queue's slack at its target.

Two loops in one nursery: the prefetcher downloads what airs within fetch_ahead_s (LAB-2), the
preparer turns the next intentions into prepared items whenever the queue is under its target
(LAB-4). Items QA rejects are swapped for an alternate of the same intention and never planned
again (LAB-3).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import msgspec
import trio

from vvtv.contracts.lab import MediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.planner import Airing
from vvtv.domain.lab.planner import Intention
from vvtv.domain.lab.planner import plan
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.domain.lab.qa import Rejected
from vvtv.lab.context import ChannelContext
from vvtv.lab.fetcher import Fetcher
from vvtv.lab.fetcher import FetchFailed
from vvtv.lab.settings import Ladder

log = logging.getLogger(__name__)


class CatalogReader(Protocol):
    async def items(self) -> list[MediaItem]: ...


class Prepare(Protocol):
    async def prepare(
        self, item_id: str, source: Path, ladder: Ladder, card: OwnerCard, *, reserve: bool = False
    ) -> PreparedItem: ...


class Pipeline:
    """Keeps its plan between restarts of `run` (the supervisor restarts the loop, not this)."""

    def __init__(
        self,
        context: ChannelContext,
        catalog: CatalogReader,
        fetcher: Fetcher,
        preparer: Prepare,
        *,
        seed: int = 0,
    ) -> None:
        self._context = context
        self._limits = context.settings.limits
        self._catalog = catalog
        self._fetcher = fetcher
        self._preparer = preparer
        self.seed = seed
        self.pending: list[Intention] = []
        self.airings: list[Airing] = []  # planned or aired: what the no-repeat rule looks back on
        self.rejected: set[str] = set()  # items QA refused: never planned again
        self._prefetched: set[int] = set()
        self._plan_end: float | None = None
        self._replanned = trio.Event()

    # -- commands (called from the runtime, same trio thread)

    def replan(self, *, new_seed: bool = False) -> None:
        """Forget the intentions not yet prepared; the next ones follow the current policy."""
        if new_seed:
            self.seed += 1
        dropped = {intention.slot for intention in self.pending}
        self.airings = [a for a in self.airings if a not in {i.airing() for i in self.pending}]
        self.pending.clear()
        self._prefetched -= dropped
        self._plan_end = None
        self._replanned.set()
        self._replanned = trio.Event()

    # -- loops

    async def run(self) -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._prefetch_loop)
            await self._prepare_loop()

    async def _prepare_loop(self) -> None:
        while True:
            await self._context.queue.wait_slack_below(self._limits.queue_slack_target_s)
            intention = await self._next_intention()
            prepared = await self._realise(intention)
            if prepared is not None:
                self._context.queue.push(prepared)

    async def _prefetch_loop(self) -> None:
        limiter = trio.CapacityLimiter(self._limits.fetch_concurrency)
        async with trio.open_nursery() as nursery:
            while True:
                items = {item.id: item for item in await self._catalog.items()}
                horizon = self._context.clock().timestamp() + self._limits.fetch_ahead_s
                for intention in list(self.pending):
                    if intention.starts_at > horizon or intention.slot in self._prefetched:
                        continue
                    item = items.get(intention.item_id)
                    if item is not None:
                        self._prefetched.add(intention.slot)
                        nursery.start_soon(self._prefetch, item, limiter)
                with trio.move_on_after(self._limits.health_check_interval_s):
                    await self._replanned.wait()

    async def _prefetch(self, item: MediaItem, limiter: trio.CapacityLimiter) -> None:
        async with limiter:
            try:
                await self._fetcher.fetch(item)
            except FetchFailed as error:
                log.info("prefetch failed (the preparer will substitute): %s", error)

    async def _next_intention(self) -> Intention:
        while not self.pending:
            snapshot = self._context.policy.snapshot()
            items = [item for item in await self._catalog.items() if item.id not in self.rejected]
            now = self._context.clock().timestamp()
            starts_at = max(self._plan_end or 0.0, now + self._context.queue.slack_s())
            made = plan(
                items,
                snapshot.card,
                starts_at=starts_at,
                horizon_s=self._limits.plan_horizon_s,
                seed=self.seed + len(self.airings),
                history=self._recent(starts_at, snapshot.card),
                policy_version=snapshot.version,
            )
            if made.intentions:
                self.pending.extend(made.intentions)
                self.airings.extend(i.airing() for i in made.intentions)
                last = made.intentions[-1]
                self._plan_end = last.starts_at + last.duration_s
                self._replanned.set()
                self._replanned = trio.Event()
                log.info(
                    "planned %d intentions (policy v%d)", len(made.intentions), snapshot.version
                )
            else:
                # Nothing may air now (empty catalog, everything resting): the reserve loop
                # covers; look again shortly, later times may allow more.
                self._plan_end = None
                await trio.sleep(self._limits.health_check_interval_s)
        return self.pending.pop(0)

    def _recent(self, starts_at: float, card: OwnerCard) -> Sequence[Airing]:
        keep_after = starts_at - card.no_repeat_window_s
        self.airings = [a for a in self.airings if a.ends_at >= keep_after]
        return tuple(self.airings)

    async def _realise(self, intention: Intention) -> PreparedItem | None:
        """Fetch and prepare the intention's item, or an alternate; None if nothing works."""
        snapshot = self._context.policy.snapshot(intention.policy_version)
        ladder = self._context.settings.ladder(snapshot.card.ladder)
        tried: list[str] = list(self.rejected)
        while True:
            items = await self._catalog.items()
            try:
                fetched = await self._fetcher.fetch_for(
                    intention, items, snapshot.card, self.airings, exclude=tried
                )
            except FetchFailed as error:
                log.warning("slot %d left to the reserve loop: %s", intention.slot, error)
                return None
            try:
                prepared = await self._preparer.prepare(
                    fetched.item.id, fetched.path, ladder, snapshot.card
                )
            except Rejected:
                self.rejected.add(fetched.item.id)
                self._fetcher.forget(fetched.item.id)
                tried.append(fetched.item.id)
                self._context.metrics.substitutions.labels("qa").inc()
                continue
            substituted = fetched.item.id != intention.item_id
            if substituted:
                self.airings.append(
                    Airing(
                        item_id=fetched.item.id,
                        starts_at=intention.starts_at,
                        duration_s=fetched.item.duration_s,
                    )
                )
                return _substitute(prepared, intention.item_id)
            return prepared


def _substitute(prepared: PreparedItem, original: str) -> PreparedItem:
    return msgspec.structs.replace(prepared, substituted_for=original)
