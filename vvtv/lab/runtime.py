"""The LAB runtime: the channel's parts, built once by `open` (the catalog, the OwnerCard, the
pipeline, the queue) and the one object the API and the composition roots hold. What runs is the
supervisor's (`supervisor.py`), the control commands are `commands.py`, the status is `status.py`.

`run` is what `vvtv serve` (or `vvtv lab serve`) starts: the channel on air until cancelled.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import trio
from prometheus_client import CollectorRegistry

from vvtv.actors import Registry
from vvtv.actors import open_background_nursery
from vvtv.clock import WallClock
from vvtv.clock import utc_now
from vvtv.contracts.lab import ChannelNow
from vvtv.contracts.lab import CommandName
from vvtv.contracts.lab import CommandResult
from vvtv.contracts.lab import LabHealth
from vvtv.contracts.lab import LabPolicySnapshot
from vvtv.contracts.lab import LabReport
from vvtv.contracts.lab import LabStatus
from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.audience import Audience
from vvtv.domain.lab.channel import now_and_next
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.lab.catalog import Catalog
from vvtv.lab.commands import Commands
from vvtv.lab.context import ChannelContext
from vvtv.lab.fetcher import Fetcher
from vvtv.lab.journal import StoreJournal
from vvtv.lab.metrics import LabMetrics
from vvtv.lab.pipeline import Pipeline
from vvtv.lab.playout_queue import BroadcastQueue
from vvtv.lab.policy import PolicyService
from vvtv.lab.prepare import Preparer
from vvtv.lab.reserve import Slate
from vvtv.lab.reserve import reserve_items
from vvtv.lab.settings import LabPaths
from vvtv.lab.settings import LabSettings
from vvtv.lab.settings import Ladder
from vvtv.lab.sinks import StatusSink
from vvtv.lab.sources import HttpOrFileSource
from vvtv.lab.sources import MediaSource
from vvtv.lab.status import ChannelStatus
from vvtv.lab.store import LabStore
from vvtv.lab.store import SqliteLabStore
from vvtv.lab.supervisor import ChannelSupervisor
from vvtv.lab.supervisor import ReserveItems
from vvtv.lab.transmitter import Transmitter
from vvtv.observability.audit import AuditLog
from vvtv.observability.events import ServerEvents
from vvtv.store import Database

log = logging.getLogger(__name__)

LEGACY_DATABASE = "lab.sqlite3"  # the channel's own database before it joined the one database


@dataclass(eq=False)
class LabRuntime:
    """The channel's parts, made once by `open` around one shared `ChannelContext`: the pipeline
    fills the queue, the supervisor airs it, `snapshot` reports it and `commands` steer it."""

    settings: LabSettings
    store: LabStore
    audit: AuditLog
    policy: PolicyService
    fetcher: Fetcher
    preparer: Preparer
    metrics: LabMetrics
    clock: WallClock
    queue: BroadcastQueue
    catalog: Catalog
    audience: Audience
    pipeline: Pipeline
    supervisor: ChannelSupervisor
    snapshot: ChannelStatus
    commands: Commands
    sink: StatusSink | None

    @property
    def paths(self) -> LabPaths:
        return self.settings.paths

    @classmethod
    async def open(
        cls,
        settings: LabSettings,
        registry: CollectorRegistry,
        database: Database,
        actors: Registry,
        *,
        default_card: OwnerCard | None = None,
        clock: WallClock = utc_now,
        source: MediaSource | None = None,
        sink: StatusSink | None = None,
        seed: int = 0,
        reserve: ReserveItems | None = None,
        events: ServerEvents | None = None,
    ) -> LabRuntime:
        """Load the OwnerCard from `database` (seeding version 1); nothing airs until `run`.
        `actors` supervises the transmitter and the pipeline; `registry` takes the metrics."""
        paths = settings.paths
        if await trio.Path(paths.root / LEGACY_DATABASE).exists():
            log.warning(
                "%s is no longer read: the catalog and OwnerCard versions are in %s now; add media "
                "again with `vvtv lab --data %s add FILE_OR_URL`",
                paths.root / LEGACY_DATABASE, paths.database, settings.data_dir,
            )  # fmt: skip
        store = SqliteLabStore(database)
        policy = PolicyService(store, lambda card: settings.ladder(card.ladder), clock)
        await policy.load(default_card or OwnerCard())
        metrics = LabMetrics(registry)
        limits = settings.limits
        fetcher = Fetcher(
            source or HttpOrFileSource(limits.fetch_timeout_s),
            paths.root,
            backoff_s=limits.fetch_backoff_s,
            timeout_s=limits.fetch_timeout_s,
            metrics=metrics,
        )
        preparer = Preparer(settings, StoreJournal(store, clock), metrics)
        audit, queue, catalog = AuditLog(database), BroadcastQueue(), Catalog(store, clock)
        context = ChannelContext(settings, queue, policy, metrics, audit, clock, events)
        pipeline = Pipeline(context, catalog, fetcher, preparer, seed=seed)
        supervisor = ChannelSupervisor(
            context, actors, pipeline, reserve or _prepared_reserve(settings, preparer)
        )
        snapshot = ChannelStatus(context, supervisor)
        return cls(
            settings, store, audit, policy, fetcher, preparer, metrics, clock, queue, catalog,
            Audience(limits.viewer_window_s), pipeline, supervisor, snapshot,
            Commands(context, supervisor, pipeline, snapshot.status), sink,
        )  # fmt: skip

    async def run(self, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Put the channel on air as soon as the first reserve clip is prepared, feed it from
        the pipeline, report its health; `task_status.started()` once the first segment is on
        air. RuntimeError when no reserve clip passes QA."""
        async with open_background_nursery() as nursery:
            await nursery.start(self.supervisor.run)
            task_status.started()
            if not await self.catalog.items():
                log.info(
                    "the catalog is empty, so the channel airs its reserve loop: add media with "
                    "`vvtv lab --data %s add FILE_OR_URL`",
                    self.settings.data_dir,
                )
            await self.snapshot.report_forever(self.catalog, self.sink)

    @property
    def transmitter(self) -> Transmitter | None:
        return self.supervisor.transmitter

    def kill_pipeline(self) -> None:
        """Stop the pipeline at once, as a crash would (the benchmark and tests use it)."""
        self.supervisor.kill_pipeline()

    async def command(self, name: CommandName, who: str, reason: str = "") -> CommandResult:
        return await self.commands.run(name, who, reason)

    async def update_policy(self, card: OwnerCard, who: str) -> LabPolicySnapshot:
        """A new OwnerCard version (audited by the policy service); the plan follows on reload."""
        return await self.policy.update(card, who)

    def status(self) -> LabStatus:
        return self.snapshot.status()

    def health(self, status: LabStatus | None = None) -> LabHealth:
        return self.snapshot.health(status)

    def report(self, status: LabStatus | None = None) -> LabReport:
        return self.snapshot.report(status)

    def channel_now(self, device: str | None = None) -> ChannelNow:
        """What airs now and next, for viewers (`GET /channel/now`); the asking `device`, whose
        player asks every ui.channel_poll_s, is counted as watching."""
        if device is not None:
            self.audience.saw(device, trio.current_time())
            self.metrics.viewers.set(self.audience.count(trio.current_time()))
        return now_and_next(self.status(), self.queue.items(), self.settings.limits.up_next_count)

    def viewers(self) -> int:
        """Devices watching the channel now (TEL-5)."""
        count = self.audience.count(trio.current_time())
        self.metrics.viewers.set(count)
        return count


def _prepared_reserve(settings: LabSettings, preparer: Preparer) -> ReserveItems:
    """The reserve loop's clips, made from the brand's slate when no other reserve is given."""
    limits = settings.limits
    slate = Slate.of(settings.brand, limits)

    def prepared(ladder: Ladder, card: OwnerCard) -> AsyncGenerator[PreparedItem, None]:
        return reserve_items(
            preparer, settings.paths.reserve, slate, limits.reserve_clips, limits.reserve_clip_s,
            ladder, card,
        )  # fmt: skip

    return prepared
