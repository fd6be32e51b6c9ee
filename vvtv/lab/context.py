"""What every part of the channel shares, built once by the runtime (runtime.py) and handed to its
pipeline, supervisor, status and commands: the settings, the queue, the policy, metrics, audit log,
clock and the server's telemetry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from vvtv.clock import WallClock
from vvtv.contracts.lab import LabPolicySnapshot
from vvtv.lab.metrics import LabMetrics
from vvtv.lab.playout_queue import BroadcastQueue
from vvtv.lab.settings import LabSettings
from vvtv.observability.audit import AuditLog
from vvtv.observability.events import ServerEvents


class PolicyReader(Protocol):
    def current_version(self) -> int: ...

    def snapshot(self, version: int | None = None) -> LabPolicySnapshot: ...


@dataclass(frozen=True, slots=True, eq=False)
class ChannelContext:
    settings: LabSettings
    queue: BroadcastQueue
    policy: PolicyReader
    metrics: LabMetrics
    audit: AuditLog
    clock: WallClock
    events: ServerEvents | None = None  # the server's telemetry (TEL-1); none standalone
