"""The telemetry routes: `POST /telemetry/events`, the browser's funnel and QoS reports (public:
the funnel starts before login: app_open, view_broadcast); `GET /telemetry/qos`, whether a call
samples its QoS (TEL-2); for admins, `GET /admin/funnel` (every chain's steps counted, TEL-1) and
the incident flag, `GET`/`POST /admin/incident` (audited)."""

from __future__ import annotations

import random

from quart import Blueprint

from vvtv.contracts.telemetry import FunnelReport
from vvtv.contracts.telemetry import IncidentStatus
from vvtv.contracts.telemetry import IncidentSwitch
from vvtv.contracts.telemetry import QosSampling
from vvtv.contracts.telemetry import TelemetryAccepted
from vvtv.contracts.telemetry import TelemetryBatch
from vvtv.runtime import Runtime
from vvtv.telemetry.funnel import funnel_report
from vvtv.telemetry.incident import Incident
from vvtv.telemetry.ingest import accept_batch
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.routing import current_principal


def routes(runtime: Runtime, incident: Incident, guard: Guard) -> Blueprint:
    api = Routes("telemetry", __name__, guard)
    reported = runtime.metrics.telemetry_events
    counts = runtime.events
    chains = runtime.config.telemetry.chains
    draw = random.Random().random

    @api.post("/telemetry/events", access="public", status=202)
    async def report_events(body: TelemetryBatch) -> TelemetryAccepted:
        """Report client telemetry events; each must be declared in telemetry-events.yaml."""
        kept, dropped = accept_batch(runtime.config, body, draw)
        for event in kept:
            reported.labels(event.name, "kept").inc()
            counts.count(event.name)
        for event in dropped:
            reported.labels(event.name, "sampled_out").inc()
        return TelemetryAccepted(accepted=len(kept), sampled_out=len(dropped))

    @api.get("/telemetry/qos", access="user")
    async def qos_sampling() -> QosSampling:
        """The share of calls that send `qos_sample`, and how often (a call draws once)."""
        return incident.sampling()

    @api.get("/admin/funnel", access="admin")
    async def funnel() -> FunnelReport:
        """Each chain of telemetry-events.yaml (the funnel, Random's), its steps counted."""
        return funnel_report(counts, chains)

    @api.get("/admin/incident", access="admin")
    async def incident_status() -> IncidentStatus:
        """Whether incident mode is on: then every call samples its QoS (TEL-2)."""
        return incident.status()

    @api.post("/admin/incident", access="admin", errors=[409])
    async def switch_incident(body: IncidentSwitch) -> IncidentStatus:
        """Switch incident mode on or off (audited, told to every signed-in tab)."""
        return await incident.switch(current_principal().user_id, body.active, body.reason)

    return api.blueprint
