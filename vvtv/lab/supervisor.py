"""What runs and restarts (LAB-6, LAB-7): the transmitter always airs something (the plan, or the
reserve loop from its first prepared clip on) and the pipeline feeds it while it runs. Both are
services of the actor kernel's supervisor, restarted within the lab's restart intensity; a
pipeline down (crashed, stopped, given up on) is what puts the reserve loop on air.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from collections.abc import Awaitable
from collections.abc import Callable
from contextlib import aclosing
from datetime import UTC
from datetime import datetime
from typing import Literal

import trio

from vvtv.actors import GaveUp
from vvtv.actors import KindStatistics
from vvtv.actors import Registry
from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.playlist import Variant
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.lab.context import ChannelContext
from vvtv.lab.pipeline import Pipeline
from vvtv.lab.settings import Ladder
from vvtv.lab.transmitter import OnItem
from vvtv.lab.transmitter import Transmitter
from vvtv.observability.audit import AuditRecord

log = logging.getLogger(__name__)

PipelineState = Literal["running", "stopped", "failed"]
# The reserve loop's clips for a ladder and OwnerCard, each as soon as it is prepared.
ReserveItems = Callable[[Ladder, OwnerCard], AsyncGenerator[PreparedItem, None]]

TRANSMITTER = "lab.transmitter"  # the services' names in the actor registry's statistics
PIPELINE = "lab.pipeline"


class ChannelSupervisor:
    def __init__(
        self, context: ChannelContext, actors: Registry, pipeline: Pipeline, reserve: ReserveItems
    ) -> None:
        self._context = context
        self._actors = actors
        self._pipeline = pipeline
        self._reserve = reserve
        self._airing_from: str | None = None  # plan or reserve, as of the last item aired
        self.transmitter: Transmitter | None = None
        self.pipeline_state: PipelineState = "stopped"
        self.pipeline_restarts = 0
        self.transmitter_restarts = 0
        self.transmitter_failed = False
        self.last_error: str | None = None
        self._nursery: trio.Nursery | None = None
        self._pipeline_scope: trio.CancelScope | None = None

    @property
    def running(self) -> bool:
        return self._nursery is not None

    def pipeline_up(self) -> bool:
        return self.pipeline_state == "running"

    def statistics(self) -> dict[str, KindStatistics]:
        """The actor supervisor's counts of the transmitter and pipeline services."""
        found = self._actors.statistics()
        return {name: found[name] for name in (TRANSMITTER, PIPELINE) if name in found}

    async def run(self, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """On air as soon as the first reserve clip is prepared (the others are made while it
        airs), the pipeline started; `task_status.started()` once the first segment is on air.
        RuntimeError when no reserve clip passes QA: then nothing can air."""
        card = self._context.policy.snapshot().card
        ladder = self._context.settings.ladder(card.ladder)
        reserve = self._reserve(ladder, card)
        first = await anext(reserve, None)
        if first is None:
            folder = self._context.settings.paths.reserve
            raise RuntimeError(f"no reserve clip in {folder} passes QA (LAB-6)")
        self.transmitter = self._transmitter(ladder, first)
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            # Up before the first tick, so the first airing's reason is not "pipeline down".
            self.start_pipeline()
            await nursery.start(self._run_transmitter)
            nursery.start_soon(self._complete_reserve, reserve)
            task_status.started()

    def _transmitter(self, ladder: Ladder, first: PreparedItem) -> Transmitter:
        context = self._context
        limits = context.settings.limits
        return Transmitter(
            context.settings.paths.live,
            [
                Variant(name=r.name, bandwidth_bps=r.bandwidth_bps, width=r.width, height=r.height)
                for r in ladder.renditions
            ],
            ladder.segment_s,
            ladder.window_segments,
            context.queue,
            [first],
            self.pipeline_up,
            context.clock,
            resume_slack_s=limits.emergency_resume_slack_s,
            min_dwell_s=limits.emergency_min_dwell_s,
            metrics=context.metrics,
            on_item=self._aired,
        )

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

    # -- the transmitter

    async def _run_transmitter(self, task_status: trio.TaskStatus[None]) -> None:
        transmitter = self.transmitter
        assert transmitter is not None
        runs = 0

        async def once() -> None:
            nonlocal runs
            runs += 1
            if runs > 1:
                self.transmitter_restarts += 1
                self._context.metrics.transmitter_restarts.inc()
            # `started()` belongs to the first run that puts a segment on air.
            await transmitter.run(
                task_status if transmitter.ticks == 0 else trio.TASK_STATUS_IGNORED
            )

        try:
            await self._supervise(TRANSMITTER, once, self._crashed)
        except GaveUp as error:
            self.transmitter_failed = True
            self.last_error = str(error)
            log.critical("the channel is off air: %s", error)

    async def _aired(self, on_item: OnItem) -> None:
        # Curator log (TEL-6): what aired, when, why. Written beside the transmitter, whose
        # pacing must not wait on the disk.
        record = AuditRecord(
            at=self._context.clock(), actor_id=None, action="lab.aired",
            target_id=on_item.item_id, reason=on_item.why,
            detail={
                "program_date": datetime.fromtimestamp(on_item.program_date, UTC).isoformat(),
                "source": on_item.source,
            },
        )  # fmt: skip
        assert self._nursery is not None
        self._nursery.start_soon(self._context.audit.append, record)
        self._tell(on_item)

    def _tell(self, on_item: OnItem) -> None:
        """The server's telemetry: each item on air, and the reserve loop taking over from the
        plan (an emergency) or giving it back."""
        events = self._context.events
        if events is None:
            return
        slack_s = self._context.queue.slack_s()
        events.emit("broadcast_item_started", item_id=on_item.item_id, queue_slack_s=slack_s)
        before, self._airing_from = self._airing_from, on_item.source
        if before is not None and before != on_item.source:
            events.emit("broadcast_emergency", active=on_item.source == "reserve")

    # -- the pipeline

    def start_pipeline(self) -> None:
        assert self._nursery is not None
        scope = trio.CancelScope()
        self._pipeline_scope = scope
        self._pipeline_running()
        self._nursery.start_soon(self._run_pipeline, scope)

    def stop_pipeline(self) -> None:
        """Stopped by the operator: the reserve loop airs until a start."""
        self._cancel_pipeline("stopped")

    def kill_pipeline(self) -> None:
        """Stop the pipeline at once, as a crash would (the benchmark and tests use it)."""
        self._cancel_pipeline("failed")

    async def _run_pipeline(self, scope: trio.CancelScope) -> None:
        restarted = False

        async def once() -> None:
            nonlocal restarted
            if restarted:
                self.pipeline_restarts += 1
                self._context.metrics.pipeline_restarts.inc()
            restarted = True
            self._pipeline_running()
            await self._pipeline.run()

        def crashed(error: Exception) -> None:
            # Down between the crash and the restart: the reserve loop covers (LAB-6).
            self._pipeline_down("failed")
            self._crashed(error)

        with scope:
            try:
                await self._supervise(PIPELINE, once, crashed)
            except GaveUp as error:
                self.last_error = str(error)
                self._pipeline_down("failed")

    def _cancel_pipeline(self, state: PipelineState) -> None:
        if self._pipeline_scope is not None:
            self._pipeline_scope.cancel()
        self._pipeline_down(state)

    def _pipeline_running(self) -> None:
        self.pipeline_state = "running"
        self._context.metrics.pipeline_up.set(1)

    def _pipeline_down(self, state: PipelineState) -> None:
        self.pipeline_state = state
        self._context.metrics.pipeline_up.set(0)

    # -- supervision

    async def _supervise(
        self,
        name: str,
        run: Callable[[], Awaitable[None]],
        on_crash: Callable[[Exception], None],
    ) -> None:
        limits = self._context.settings.limits
        await self._actors.supervise(
            name,
            run,
            on_crash=on_crash,
            backoff_s=limits.restart_backoff_s,
            max_restarts=limits.transmitter_max_restarts,
            restart_window_s=limits.restart_window_s,
        )

    def _crashed(self, error: Exception) -> None:
        self.last_error = f"{type(error).__name__}: {error}"
