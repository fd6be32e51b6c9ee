"""The LAB runtime: one object holding the catalog, the OwnerCard, the pipeline and the
transmitter, and the commands the API exposes (start, stop, reload policies, rotate playlist).

`run` is the supervised nursery `vvtv serve` starts: the
transmitter always airs something (plan or reserve loop), the pipeline feeds it while it runs.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from contextlib import aclosing
from datetime import UTC, datetime
from typing import Literal

import trio
from prometheus_client import CollectorRegistry

from vvtv.clock import WallClock, utc_now
from vvtv.contracts.lab import (
    ChannelNow,
    CommandName,
    CommandResult,
    LabHealth,
    LabPolicySnapshot,
    LabReport,
    LabStatus,
    OwnerCard,
    UpNext,
)
from vvtv.contracts.system import ReadinessCheck
from vvtv.domain.lab.playlist import Variant
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.lab.catalog import Catalog
from vvtv.lab.fetcher import Fetcher
from vvtv.lab.journal import StoreJournal
from vvtv.lab.metrics import LabMetrics
from vvtv.lab.pipeline import Pipeline
from vvtv.lab.playout_queue import BroadcastQueue, queue_health
from vvtv.lab.policy import PolicyService
from vvtv.lab.prepare import Preparer
from vvtv.lab.reserve import VIDEO_SUFFIXES, Slate, reserve_items
from vvtv.lab.settings import LabSettings, Ladder
from vvtv.lab.sources import HttpOrFileSource, MediaSource
from vvtv.lab.status import StatusSink
from vvtv.lab.store import LabStore, SqliteLabStore
from vvtv.lab.supervision import GaveUp, supervise
from vvtv.lab.transmitter import OnItem, Transmitter
from vvtv.observability.audit import AuditLog, AuditRecord
from vvtv.store import Database

log = logging.getLogger(__name__)

PipelineState = Literal["running", "stopped", "failed"]
# The reserve loop's clips for a ladder and OwnerCard, each as soon as it is prepared.
ReserveItems = Callable[[Ladder, OwnerCard], AsyncGenerator[PreparedItem, None]]

# What `catalog.derive_id` leaves of a source's file name: its extension and a short hash.
_FILE_SUFFIX = re.compile(
    rf"(?:{'|'.join(re.escape(suffix) for suffix in sorted(VIDEO_SUFFIXES))})(?:-[0-9a-f]{{8}})?$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[-_.\s]+")


def item_title(item_id: str) -> str:
    """A title for viewers from an item id: `sunset-beach_01` → `Sunset beach 01`; the file
    extension and hash an id derived from a source's file name ends with are left out."""
    words = _SEPARATORS.split(_FILE_SUFFIX.sub("", item_id))
    text = " ".join(word for word in words if word)
    return text[:1].upper() + text[1:] if text else item_id


def now_and_next(status: LabStatus, queued: Iterable[PreparedItem], count: int) -> ChannelNow:
    """What viewers see: the planned item on air (none while the reserve loop covers or nothing
    airs) and the first `count` planned items of the queue."""
    if status.on_air == "off":
        return ChannelNow(on_air="off", item_id=None, title=None, up_next=[])
    planned = (item for item in queued if not item.reserve)
    up_next = [
        UpNext(item_id=item.item_id, title=item_title(item.item_id))
        for item in itertools.islice(planned, count)
    ]
    airing = status.now_airing if status.on_air == "plan" else None
    return ChannelNow(
        on_air=status.on_air,
        item_id=airing,
        title=item_title(airing) if airing is not None else None,
        up_next=up_next,
    )


class LabRuntime:
    def __init__(
        self,
        settings: LabSettings,
        store: LabStore,
        audit: AuditLog,
        catalog: Catalog,
        policy: PolicyService,
        fetcher: Fetcher,
        preparer: Preparer,
        metrics: LabMetrics,
        clock: WallClock,
        *,
        sink: StatusSink | None = None,
        seed: int = 0,
        reserve: ReserveItems | None = None,
    ) -> None:
        self.settings = settings
        self.paths = settings.paths
        self.store = store
        self.audit = audit
        self.catalog = catalog
        self.policy = policy
        self.fetcher = fetcher
        self.preparer = preparer
        self.metrics = metrics
        self.clock = clock
        self.sink = sink
        self._reserve_items = reserve or self._prepared_reserve
        self.queue = BroadcastQueue()
        self.pipeline = Pipeline(
            settings, catalog, policy, fetcher, preparer, self.queue, clock,
            seed=seed, metrics=metrics,
        )  # fmt: skip
        self.transmitter: Transmitter | None = None
        self.pipeline_state: PipelineState = "stopped"
        self.pipeline_restarts = 0
        self.transmitter_restarts = 0
        self.transmitter_failed = False
        self.last_error: str | None = None
        self._nursery: trio.Nursery | None = None
        self._pipeline_scope: trio.CancelScope | None = None

    @classmethod
    async def open(
        cls,
        settings: LabSettings,
        registry: CollectorRegistry,
        database: Database,
        *,
        default_card: OwnerCard | None = None,
        clock: WallClock = utc_now,
        source: MediaSource | None = None,
        sink: StatusSink | None = None,
        seed: int = 0,
        reserve: ReserveItems | None = None,
    ) -> LabRuntime:
        """Load the OwnerCard from `database` (seeding version 1); nothing airs until `run`."""
        paths = settings.paths
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
        preparer = Preparer(paths.media, limits, StoreJournal(store, clock), metrics)
        return cls(
            settings, store, AuditLog(database), Catalog(store, clock), policy, fetcher, preparer,
            metrics,
            clock, sink=sink, seed=seed, reserve=reserve,
        )  # fmt: skip

    # -- running

    async def run(self, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Put the channel on air as soon as the first reserve clip is prepared (the others are
        made while it airs), start the pipeline; report health. `task_status.started()` once the
        first segment is on air."""
        card = self.policy.snapshot().card
        ladder = self.settings.ladder(card.ladder)
        limits = self.settings.limits
        reserve = self._reserve_items(ladder, card)
        first = await anext(reserve, None)
        if first is None:
            raise RuntimeError(f"no reserve clip in {self.paths.reserve} passes QA (LAB-6)")
        self.transmitter = Transmitter(
            self.paths.live,
            [
                Variant(name=r.name, bandwidth_bps=r.bandwidth_bps, width=r.width, height=r.height)
                for r in ladder.renditions
            ],
            ladder.segment_s,
            ladder.window_segments,
            self.queue,
            [first],
            self.pipeline_up,
            self.clock,
            resume_slack_s=limits.emergency_resume_slack_s,
            min_dwell_s=limits.emergency_min_dwell_s,
            metrics=self.metrics,
            on_item=self._aired,
        )
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            # Up before the first tick, so the first airing's reason is not "pipeline down".
            self._start_pipeline()
            await nursery.start(self._run_transmitter)
            nursery.start_soon(self._complete_reserve, reserve)
            task_status.started()
            if not await self.catalog.items():
                log.info(
                    "the catalog is empty, so the channel airs its reserve loop: add media with "
                    "`vvtv lab --data %s add FILE_OR_URL`",
                    self.settings.data_dir,
                )
            await self._report_loop()

    def _prepared_reserve(
        self, ladder: Ladder, card: OwnerCard
    ) -> AsyncGenerator[PreparedItem, None]:
        limits = self.settings.limits
        return reserve_items(
            self.preparer, self.paths.reserve, Slate.of(limits), limits.reserve_clips,
            limits.reserve_clip_s, ladder, card,
        )  # fmt: skip

    async def _complete_reserve(self, reserve: AsyncGenerator[PreparedItem, None]) -> None:
        transmitter = self.transmitter
        assert transmitter is not None
        async with aclosing(reserve):
            try:
                async for item in reserve:
                    transmitter.add_reserve(item)
            except Exception:
                # The loop goes on with the clips it has; the channel stays on air.
                log.exception("the reserve loop airs %d clip(s) only", len(transmitter.reserve))

    def pipeline_up(self) -> bool:
        return self.pipeline_state == "running"

    async def _run_transmitter(self, task_status: trio.TaskStatus[None]) -> None:
        transmitter = self.transmitter
        assert transmitter is not None
        runs = 0

        async def once() -> None:
            nonlocal runs
            runs += 1
            if runs > 1:
                self.transmitter_restarts += 1
                self.metrics.transmitter_restarts.inc()
            # `started()` belongs to the first run that puts a segment on air.
            await transmitter.run(
                task_status if transmitter.ticks == 0 else trio.TASK_STATUS_IGNORED
            )

        try:
            await supervise(
                "transmitter",
                once,
                max_restarts=self.settings.limits.transmitter_max_restarts,
                window_s=self.settings.limits.restart_window_s,
                on_crash=self._crashed,
            )
        except GaveUp as error:
            self.transmitter_failed = True
            self.last_error = str(error)
            log.critical("the channel is off air: %s", error)

    def _start_pipeline(self) -> None:
        assert self._nursery is not None
        scope = trio.CancelScope()
        self._pipeline_scope = scope
        self.pipeline_state = "running"
        self.metrics.pipeline_up.set(1)
        self._nursery.start_soon(self._run_pipeline, scope)

    async def _run_pipeline(self, scope: trio.CancelScope) -> None:
        restarted = False

        async def once() -> None:
            nonlocal restarted
            if restarted:
                self.pipeline_restarts += 1
                self.metrics.pipeline_restarts.inc()
            restarted = True
            self.pipeline_state = "running"
            self.metrics.pipeline_up.set(1)
            await self.pipeline.run()

        def crashed(error: BaseException) -> None:
            # Down between the crash and the restart: the reserve loop covers (LAB-6).
            self.pipeline_state = "failed"
            self.metrics.pipeline_up.set(0)
            self._crashed(error)

        with scope:
            try:
                await supervise(
                    "pipeline",
                    once,
                    max_restarts=self.settings.limits.transmitter_max_restarts,
                    window_s=self.settings.limits.restart_window_s,
                    on_crash=crashed,
                )
            except GaveUp as error:
                self.pipeline_state = "failed"
                self.last_error = str(error)
                self.metrics.pipeline_up.set(0)

    def _crashed(self, error: BaseException) -> None:
        self.last_error = f"{type(error).__name__}: {error}"

    def kill_pipeline(self) -> None:
        """Stop the pipeline at once, as a crash would (the benchmark and tests use it)."""
        if self._pipeline_scope is not None:
            self._pipeline_scope.cancel()
        self.pipeline_state = "failed"
        self.metrics.pipeline_up.set(0)

    async def _aired(self, on_item: OnItem) -> None:
        # Curator log (TEL-6): what aired, when, why. Written beside the transmitter, whose
        # pacing must not wait on the disk.
        record = AuditRecord(
            at=self.clock(), actor_id=None, action="lab.aired", target_id=on_item.item_id,
            reason=on_item.why,
            detail={
                "program_date": datetime.fromtimestamp(on_item.program_date, UTC).isoformat(),
                "source": on_item.source,
            },
        )  # fmt: skip
        assert self._nursery is not None
        self._nursery.start_soon(self.audit.append, record)

    async def _report_loop(self) -> None:
        previous = "ok"
        while True:
            status = self.status()
            self.metrics.queue_slack.set(status.queue_slack_s)
            self.metrics.queue_items.set(status.queue_items)
            alerting = status.queue_health in ("alert", "empty")
            self.metrics.queue_alert.set(1 if alerting else 0)
            if alerting and previous not in ("alert", "empty"):
                # With an empty catalog there is nothing to queue: the slate is expected.
                level = logging.WARNING if await self.catalog.items() else logging.DEBUG
                log.log(level, "LAB-7 alert: queue slack %.0f s", status.queue_slack_s)
            previous = status.queue_health
            if self.sink is not None:
                await self.sink.push(self.report(status))
            await trio.sleep(self.settings.limits.health_check_interval_s)

    # -- commands (each audited: who, what, result)

    async def command(self, name: CommandName, who: str, reason: str = "") -> CommandResult:
        actions: dict[CommandName, Callable[[], Awaitable[tuple[bool, str]]]] = {
            "start": self._start,
            "stop": self._stop,
            "reload_policies": self._reload,
            "rotate_playlist": self._rotate,
        }
        try:
            ok, detail = await actions[name]()
        except Exception as error:
            await self.audit.append(self._command_record(name, who, reason, "error", str(error)))
            raise
        result = "ok" if ok else "refused"
        await self.audit.append(self._command_record(name, who, reason, result, detail))
        return CommandResult(command=name, ok=ok, detail=detail, status=self.status())

    def _command_record(
        self, name: CommandName, who: str, reason: str, result: str, detail: str
    ) -> AuditRecord:
        return AuditRecord(
            at=self.clock(), actor_id=who, action=f"lab.{name}", reason=reason or None,
            detail={"result": result, "detail": detail},
        )  # fmt: skip

    async def _start(self) -> tuple[bool, str]:
        if self._nursery is None:
            return False, "the agent is not running"
        if self.pipeline_state == "running":
            return True, "the pipeline already runs"
        self._start_pipeline()
        return True, "pipeline started"

    async def _stop(self) -> tuple[bool, str]:
        if self.pipeline_state != "running":
            return True, "the pipeline was not running"
        if self._pipeline_scope is not None:
            self._pipeline_scope.cancel()
        self.pipeline_state = "stopped"
        self.metrics.pipeline_up.set(0)
        return True, "pipeline stopped; the reserve loop airs"

    async def _reload(self) -> tuple[bool, str]:
        self.pipeline.replan()
        return True, f"planning from policy version {self.policy.current_version()}"

    async def _rotate(self) -> tuple[bool, str]:
        dropped = self.queue.keep_first(1)
        self.pipeline.replan(new_seed=True)
        return True, f"new plan (seed {self.pipeline.seed}); {len(dropped)} queued items dropped"

    async def update_policy(self, card: OwnerCard, who: str) -> LabPolicySnapshot:
        """A new OwnerCard version (audited by the policy service); the plan follows on reload."""
        return await self.policy.update(card, who)

    # -- views

    def status(self) -> LabStatus:
        transmitter = self.transmitter
        window = transmitter.window if transmitter is not None else None
        on_air = transmitter.on_air if transmitter is not None else None
        slack = self.queue.slack_s()
        cursor = transmitter.cursor if transmitter is not None else None
        return LabStatus(
            pipeline=self.pipeline_state,
            on_air="off" if on_air is None or self.transmitter_failed else on_air,
            now_airing=cursor.item.item_id if cursor is not None else None,
            queue_items=len(self.queue),
            queue_slack_s=round(slack, 3),
            queue_health=queue_health(slack, self.settings.limits),
            policy_version=self.policy.current_version(),
            media_sequence=window.media_sequence if window is not None else 0,
            discontinuity_sequence=window.discontinuity_sequence if window is not None else 0,
            transmitter_restarts=self.transmitter_restarts,
            pipeline_restarts=self.pipeline_restarts,
            last_error=self.last_error,
        )

    def channel_now(self) -> ChannelNow:
        """What airs now and next, for viewers (`GET /channel/now`)."""
        return now_and_next(self.status(), self.queue.items(), self.settings.limits.up_next_count)

    def health(self, status: LabStatus | None = None) -> LabHealth:
        status = status or self.status()
        on_air = status.on_air != "off"
        checks = [
            ReadinessCheck(name="on_air", ok=on_air, detail=status.on_air),
            ReadinessCheck(
                name="pipeline", ok=status.pipeline == "running", detail=status.pipeline
            ),
            ReadinessCheck(
                name="queue",
                ok=status.queue_health in ("ok", "low"),
                detail=f"{status.queue_slack_s:.0f} s prepared ({status.queue_health})",
            ),
            ReadinessCheck(name="emergency", ok=status.on_air != "reserve", detail=status.on_air),
        ]
        alerts = []
        if not on_air:
            alerts.append("broadcast down: nothing on air")
        if status.on_air == "reserve":
            alerts.append("emergency mode: the reserve loop is on air")
        if status.queue_health in ("alert", "empty"):
            alerts.append(
                f"queue under {self.settings.limits.queue_alert_below_s:.0f} s: "
                f"{status.queue_slack_s:.0f} s prepared"
            )
        if status.pipeline == "failed":
            alerts.append(f"pipeline failed: {status.last_error}")
        return LabHealth(ok=on_air, checks=checks, alerts=alerts)

    def report(self, status: LabStatus | None = None) -> LabReport:
        status = status or self.status()
        return LabReport(
            agent=self.settings.agent_name,
            at=self.clock(),
            status=status,
            health=self.health(status),
            telemetry=self.metrics.summary(),
        )
