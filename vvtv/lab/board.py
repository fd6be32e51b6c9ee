"""The server's side of the status push (LAB-8, TEL-5): the latest report of each agent, its
Prometheus gauges, and the routes that read it and that a standalone agent posts to.

In `vvtv serve` the in-process agent reaches the board through a `CallbackSink`; a standalone
agent POSTs to `/lab/agents/<name>/status` with the shared lab token (see `auth.token_or`).
"""

from __future__ import annotations

import msgspec
from prometheus_client import CollectorRegistry
from prometheus_client import Gauge
from quart import Blueprint

from vvtv.contracts.lab import LabAgents
from vvtv.contracts.lab import LabReport
from vvtv.lab.sinks import CallbackSink
from vvtv.observability.series import Catalogued
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes


class LabStatusBoard(Catalogued, section="lab_agents"):
    queue_slack: Gauge
    emergency: Gauge
    healthy: Gauge
    on_air: Gauge
    reported_at: Gauge

    def __init__(self, registry: CollectorRegistry) -> None:
        super().__init__(registry)
        self._reports: dict[str, LabReport] = {}
        self._on_air_item: dict[str, str] = {}

    async def record(self, report: LabReport) -> None:
        self._reports[report.agent] = report
        status = report.status
        agent = report.agent
        self.queue_slack.labels(agent).set(status.queue_slack_s)
        self.emergency.labels(agent).set(1 if status.on_air == "reserve" else 0)
        self.healthy.labels(agent).set(1 if report.health.ok else 0)
        self.reported_at.labels(agent).set(report.at.timestamp())
        item = status.now_airing or ""
        previous = self._on_air_item.get(agent)
        if previous is not None and previous != item:
            self.on_air.remove(agent, previous)  # keep one series per agent, not one per item
        self._on_air_item[agent] = item
        self.on_air.labels(agent, item).set(1 if item else 0)

    def sink(self) -> CallbackSink:
        """Where the in-process agent pushes its reports."""
        return CallbackSink(self.record)

    def latest(self, agent: str) -> LabReport | None:
        return self._reports.get(agent)

    def agents(self) -> LabAgents:
        return LabAgents(agents=[self._reports[name] for name in sorted(self._reports)])


def board_routes(board: LabStatusBoard, guard: Guard, push_guard: Guard) -> Blueprint:
    """`guard` reads (the server's admins); `push_guard` admits the agents' status pushes."""
    api = Routes("lab_board", __name__, guard)

    @api.get("/lab/agents", access="admin")
    async def lab_agents() -> LabAgents:
        """The latest status, health and telemetry summary each LAB agent pushed (LAB-8)."""
        return board.agents()

    @api.post("/lab/agents/<name>/status", access="admin", guard=push_guard)
    async def push_status(body: LabReport, name: str) -> LabReport:
        """A standalone agent's status push (every health-check interval); echoes the report."""
        # The path names the agent (its URL is what the operator configured); the body's copy
        # may be stale after a rename.
        body = msgspec.structs.replace(body, agent=name)
        await board.record(body)
        return body

    return api.blueprint
