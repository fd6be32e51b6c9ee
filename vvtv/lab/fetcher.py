"""The Fetcher (LAB-2): availability first, retries with backoff, never the same item twice at
once, and an alternate satisfying the same intention when an item cannot be had."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import msgspec
import trio

from vvtv.contracts.lab import MediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.planner import Airing
from vvtv.domain.lab.planner import Intention
from vvtv.domain.lab.planner import alternates
from vvtv.lab.metrics import LabMetrics
from vvtv.lab.sources import MediaSource
from vvtv.lab.sources import SourceUnavailable

log = logging.getLogger(__name__)


class FetchFailed(Exception):
    def __init__(self, item_id: str, reason: str) -> None:
        super().__init__(f"{item_id}: {reason}")
        self.item_id = item_id
        self.reason = reason


class Fetched(msgspec.Struct, frozen=True, kw_only=True):
    item: MediaItem
    path: Path
    substituted_for: str | None = None


class _Flight:
    """One fetch in progress; later callers for the same item wait for it instead of starting
    another download of the same bytes."""

    def __init__(self) -> None:
        self.done = trio.Event()
        self.path: Path | None = None
        self.error: FetchFailed | None = None


class Fetcher:
    def __init__(
        self,
        source: MediaSource,
        media_dir: Path,
        *,
        backoff_s: Sequence[float],
        timeout_s: float,
        metrics: LabMetrics | None = None,
    ) -> None:
        self._source = source
        self._media_dir = media_dir
        self._backoff_s = tuple(backoff_s)
        self._timeout_s = timeout_s
        self._metrics = metrics
        self._flights: dict[str, _Flight] = {}
        self._fetched: dict[str, Path] = {}
        self.downloads_started = 0  # statistics: how many downloads actually began

    def in_flight(self) -> int:
        return len(self._flights)

    async def fetch(self, item: MediaItem) -> Path:
        """The item's local path, downloading it if needed; FetchFailed after every attempt."""
        if (path := self._fetched.get(item.id)) is not None:
            return path
        flight = self._flights.get(item.id)
        if flight is None:
            flight = self._flights[item.id] = _Flight()
            try:
                flight.path = await self._fetch_with_retries(item)
                self._fetched[item.id] = flight.path
            except FetchFailed as error:
                flight.error = error
            finally:
                # Also on cancellation: waiters must not hang on a flight nobody flies.
                if flight.path is None and flight.error is None:
                    flight.error = FetchFailed(item.id, "cancelled")
                del self._flights[item.id]
                flight.done.set()
        else:
            await flight.done.wait()
        if flight.error is not None:
            raise flight.error
        assert flight.path is not None
        return flight.path

    def forget(self, item_id: str) -> None:
        """Drop a fetched item (e.g. QA found the download corrupt), so a next fetch redoes it."""
        self._fetched.pop(item_id, None)

    async def fetch_for(
        self,
        intention: Intention,
        items: Sequence[MediaItem],
        card: OwnerCard,
        airings: Sequence[Airing],
        exclude: Sequence[str] = (),
    ) -> Fetched:
        """The intention's item, or the first alternate that can be fetched."""
        by_id = {item.id: item for item in items}
        tried: list[str] = list(exclude)
        wanted = by_id.get(intention.item_id)
        if wanted is not None and wanted.id not in tried:
            try:
                return Fetched(item=wanted, path=await self.fetch(wanted))
            except FetchFailed as error:
                log.warning("fetch failed, looking for an alternate: %s", error)
            tried.append(wanted.id)
        for alternate in alternates(intention, items, card, airings, tried):
            try:
                path = await self.fetch(alternate)
            except FetchFailed as error:
                log.warning("alternate failed too: %s", error)
                tried.append(alternate.id)
                continue
            if self._metrics is not None:
                self._metrics.substitutions.labels("fetch").inc()
            return Fetched(item=alternate, path=path, substituted_for=intention.item_id)
        raise FetchFailed(intention.item_id, "neither the item nor any alternate could be fetched")

    async def _fetch_with_retries(self, item: MediaItem) -> Path:
        attempts = len(self._backoff_s) + 1
        reason = "unknown"
        for attempt in range(attempts):
            if attempt:
                await trio.sleep(self._backoff_s[attempt - 1])
            try:
                with trio.fail_after(self._timeout_s):
                    if not await self._source.available(item.source):
                        raise SourceUnavailable(f"{item.source} is not available")
                    self.downloads_started += 1
                    dest = self._media_dir / "downloads" / item.id
                    path, written = await self._source.fetch(item.source, dest)
            except (SourceUnavailable, trio.TooSlowError, OSError) as error:
                reason = str(error) or type(error).__name__
                self._count("retry" if attempt + 1 < attempts else "failed")
                log.info("fetch %s attempt %d/%d: %s", item.id, attempt + 1, attempts, reason)
                continue
            self._count("ok")
            if self._metrics is not None and written:
                self._metrics.fetched_bytes.inc(written)
            return path
        raise FetchFailed(item.id, reason)

    def _count(self, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.fetch_attempts.labels(outcome).inc()
