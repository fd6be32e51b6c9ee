"""`POST /telemetry/events`: the browser's funnel and QoS reports. Public: the funnel starts
before login (app_open, view_broadcast)."""

from __future__ import annotations

import random

from quart import Blueprint

from vvtv.contracts.telemetry import TelemetryAccepted, TelemetryBatch
from vvtv.runtime import Runtime
from vvtv.telemetry.ingest import accept_batch
from vvtv.web.routing import Guard, endpoint


def routes(runtime: Runtime, guard: Guard) -> Blueprint:
    bp = Blueprint("telemetry", __name__)
    reported = runtime.metrics.telemetry_events
    draw = random.Random().random

    @endpoint(
        bp,
        "/telemetry/events",
        method="POST",
        access="public",
        body=TelemetryBatch,
        response=TelemetryAccepted,
        status=202,
        guard=guard,
    )
    async def report_events(batch: TelemetryBatch) -> TelemetryAccepted:
        """Report client telemetry events; each must be declared in telemetry-events.yaml."""
        kept, dropped = accept_batch(runtime.config, batch, draw)
        for event in kept:
            reported.labels(event.name, "kept").inc()
        for event in dropped:
            reported.labels(event.name, "sampled_out").inc()
        return TelemetryAccepted(accepted=len(kept), sampled_out=len(dropped))

    return bp
