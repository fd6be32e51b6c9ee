"""The channel's status (LAB-7, LAB-8): a snapshot of what the supervisor, the queue and the
policy say now, its health verdict, the report pushed to the server (TEL-5), and the loop that
keeps the queue gauges, the LAB-7 alert and the pushes going every health-check interval."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import trio

from vvtv.contracts.lab import LabHealth
from vvtv.contracts.lab import LabReport
from vvtv.contracts.lab import LabStatus
from vvtv.domain.lab.channel import channel_health
from vvtv.domain.lab.channel import queue_health
from vvtv.lab.context import ChannelContext
from vvtv.lab.pipeline import CatalogReader
from vvtv.lab.sinks import StatusSink
from vvtv.lab.supervisor import ChannelSupervisor

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, eq=False)
class ChannelStatus:
    context: ChannelContext  # its events: broadcast_queue_low (TEL-1, LAB-7)
    supervisor: ChannelSupervisor

    def status(self) -> LabStatus:
        supervisor = self.supervisor
        transmitter = supervisor.transmitter
        window = transmitter.window if transmitter is not None else None
        on_air = transmitter.on_air if transmitter is not None else None
        cursor = transmitter.cursor if transmitter is not None else None
        slack = self.context.queue.slack_s()
        limits = self.context.settings.limits
        health = queue_health(
            slack, alert_below_s=limits.queue_alert_below_s, target_s=limits.queue_slack_target_s
        )
        return LabStatus(
            pipeline=supervisor.pipeline_state,
            on_air="off" if on_air is None or supervisor.transmitter_failed else on_air,
            now_airing=cursor.item.item_id if cursor is not None else None,
            queue_items=len(self.context.queue),
            queue_slack_s=round(slack, 3),
            queue_health=health,
            policy_version=self.context.policy.current_version(),
            media_sequence=window.media_sequence if window is not None else 0,
            discontinuity_sequence=window.discontinuity_sequence if window is not None else 0,
            transmitter_restarts=supervisor.transmitter_restarts,
            pipeline_restarts=supervisor.pipeline_restarts,
            last_error=supervisor.last_error,
        )

    def health(self, status: LabStatus | None = None) -> LabHealth:
        status = status or self.status()
        limits = self.context.settings.limits
        return channel_health(status, alert_below_s=limits.queue_alert_below_s)

    def report(self, status: LabStatus | None = None) -> LabReport:
        status = status or self.status()
        return LabReport(
            agent=self.context.settings.agent_name,
            at=self.context.clock(),
            status=status,
            health=self.health(status),
            telemetry=self.context.metrics.summary(),
        )

    async def report_forever(self, catalog: CatalogReader, sink: StatusSink | None) -> None:
        metrics = self.context.metrics
        events = self.context.events
        previous = "ok"
        while True:
            status = self.status()
            metrics.queue_slack.set(status.queue_slack_s)
            metrics.queue_items.set(status.queue_items)
            alerting = status.queue_health in ("alert", "empty")
            metrics.queue_alert.set(1 if alerting else 0)
            if alerting and previous not in ("alert", "empty"):
                # With an empty catalog there is nothing to queue: the slate is expected.
                level = logging.WARNING if await catalog.items() else logging.DEBUG
                log.log(level, "LAB-7 alert: queue slack %.0f s", status.queue_slack_s)
                if events is not None:
                    events.emit("broadcast_queue_low", queue_slack_s=status.queue_slack_s)
            previous = status.queue_health
            if sink is not None:
                await sink.push(self.report(status))
            await trio.sleep(self.context.settings.limits.health_check_interval_s)
