"""The control commands (LAB-8): start and stop the pipeline, reload the policies, rotate the
playlist. Each is audited (TEL-6) with who asked, why, and the result."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass

from vvtv.contracts.lab import CommandName
from vvtv.contracts.lab import CommandResult
from vvtv.contracts.lab import LabStatus
from vvtv.lab.context import ChannelContext
from vvtv.lab.pipeline import Pipeline
from vvtv.lab.supervisor import ChannelSupervisor
from vvtv.observability.audit import AuditRecord


@dataclass(frozen=True, slots=True, eq=False)
class Commands:
    context: ChannelContext
    supervisor: ChannelSupervisor
    pipeline: Pipeline
    status: Callable[[], LabStatus]

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
            await self.context.audit.append(self._record(name, who, reason, "error", str(error)))
            raise
        result = "ok" if ok else "refused"
        await self.context.audit.append(self._record(name, who, reason, result, detail))
        return CommandResult(command=name, ok=ok, detail=detail, status=self.status())

    async def _start(self) -> tuple[bool, str]:
        if not self.supervisor.running:
            return False, "the agent is not running"
        if self.supervisor.pipeline_up():
            return True, "the pipeline already runs"
        self.supervisor.start_pipeline()
        return True, "pipeline started"

    async def _stop(self) -> tuple[bool, str]:
        if not self.supervisor.pipeline_up():
            return True, "the pipeline was not running"
        self.supervisor.stop_pipeline()
        return True, "pipeline stopped; the reserve loop airs"

    async def _reload(self) -> tuple[bool, str]:
        self.pipeline.replan()
        return True, f"planning from policy version {self.context.policy.current_version()}"

    async def _rotate(self) -> tuple[bool, str]:
        dropped = self.context.queue.keep_first(1)
        self.pipeline.replan(new_seed=True)
        return True, f"new plan (seed {self.pipeline.seed}); {len(dropped)} queued items dropped"

    def _record(
        self, name: CommandName, who: str, reason: str, result: str, detail: str
    ) -> AuditRecord:
        return AuditRecord(
            at=self.context.clock(), actor_id=who, action=f"lab.{name}", reason=reason or None,
            detail={"result": result, "detail": detail},
        )  # fmt: skip
