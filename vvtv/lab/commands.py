"""The control commands (LAB-8): start and stop the pipeline, reload the policies, rotate the
playlist. Each is audited (TEL-6) with who asked, why, and the result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from vvtv.clock import WallClock
from vvtv.contracts.lab import CommandName, CommandResult, LabStatus
from vvtv.lab.pipeline import Pipeline, PolicyReader
from vvtv.lab.playout_queue import BroadcastQueue
from vvtv.lab.supervisor import ChannelSupervisor
from vvtv.observability.audit import AuditLog, AuditRecord


class Commands:
    def __init__(
        self,
        supervisor: ChannelSupervisor,
        pipeline: Pipeline,
        queue: BroadcastQueue,
        policy: PolicyReader,
        status: Callable[[], LabStatus],
        audit: AuditLog,
        clock: WallClock,
    ) -> None:
        self._supervisor = supervisor
        self._pipeline = pipeline
        self._queue = queue
        self._policy = policy
        self._status = status
        self._audit = audit
        self._clock = clock

    async def run(self, name: CommandName, who: str, reason: str = "") -> CommandResult:
        actions: dict[CommandName, Callable[[], Awaitable[tuple[bool, str]]]] = {
            "start": self._start,
            "stop": self._stop,
            "reload_policies": self._reload,
            "rotate_playlist": self._rotate,
        }
        try:
            ok, detail = await actions[name]()
        except Exception as error:
            await self._audit.append(self._record(name, who, reason, "error", str(error)))
            raise
        result = "ok" if ok else "refused"
        await self._audit.append(self._record(name, who, reason, result, detail))
        return CommandResult(command=name, ok=ok, detail=detail, status=self._status())

    async def _start(self) -> tuple[bool, str]:
        if not self._supervisor.running:
            return False, "the agent is not running"
        if self._supervisor.pipeline_up():
            return True, "the pipeline already runs"
        self._supervisor.start_pipeline()
        return True, "pipeline started"

    async def _stop(self) -> tuple[bool, str]:
        if not self._supervisor.pipeline_up():
            return True, "the pipeline was not running"
        self._supervisor.stop_pipeline()
        return True, "pipeline stopped; the reserve loop airs"

    async def _reload(self) -> tuple[bool, str]:
        self._pipeline.replan()
        return True, f"planning from policy version {self._policy.current_version()}"

    async def _rotate(self) -> tuple[bool, str]:
        dropped = self._queue.keep_first(1)
        self._pipeline.replan(new_seed=True)
        return True, f"new plan (seed {self._pipeline.seed}); {len(dropped)} queued items dropped"

    def _record(
        self, name: CommandName, who: str, reason: str, result: str, detail: str
    ) -> AuditRecord:
        return AuditRecord(
            at=self._clock(), actor_id=who, action=f"lab.{name}", reason=reason or None,
            detail={"result": result, "detail": detail},
        )  # fmt: skip
