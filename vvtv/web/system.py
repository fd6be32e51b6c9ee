"""Operational routes: liveness, readiness, metrics. Public, as a load balancer or Prometheus
scraper on the operator's network must reach them without credentials."""

from __future__ import annotations

import os
import sqlite3

from quart import Blueprint

from vvtv.contracts.system import Health
from vvtv.contracts.system import Readiness
from vvtv.contracts.system import ReadinessCheck
from vvtv.observability.metrics import CONTENT_TYPE
from vvtv.runtime import Runtime
from vvtv.web.routing import Guard
from vvtv.web.routing import PlainText
from vvtv.web.routing import Routes


def routes(runtime: Runtime, guard: Guard) -> Blueprint:
    api = Routes("system", __name__, guard)

    @api.get("/healthz", access="public")
    async def healthz() -> Health:
        """Liveness: the process and its event loop answer."""
        return Health()

    @api.get("/readyz", access="public", response=Readiness, errors=[503])
    async def readyz() -> tuple[Readiness, int] | Readiness:
        """Readiness: config loaded, data folder and store usable, supervisor up, not draining;
        with each service's health (TEL-5) as detail that does not decide readiness."""
        data_ok = runtime.data_dir.is_dir() and os.access(runtime.data_dir, os.W_OK)
        try:
            await runtime.database.read(lambda db: db.execute("SELECT 1").fetchone())
            store = ReadinessCheck(name="store", ok=True, detail=str(runtime.database.path))
        except sqlite3.Error as error:
            store = ReadinessCheck(name="store", ok=False, detail=str(error))
        checks = [
            ReadinessCheck(name="config", ok=True, detail=runtime.config.summary()),
            ReadinessCheck(name="data_dir", ok=data_ok, detail=str(runtime.data_dir)),
            store,
            ReadinessCheck(name="supervisor", ok=runtime.actors.running),
            ReadinessCheck(name="accepting", ok=not runtime.draining),
        ]
        readiness = Readiness(
            ready=all(check.ok for check in checks),
            checks=checks,
            config_version=runtime.config.version,
            tier=runtime.config.tier,
            services=runtime.health.services() if runtime.health is not None else [],
        )
        return readiness if readiness.ready else (readiness, 503)

    @api.get("/metrics", access="public")
    async def metrics() -> PlainText:
        """Prometheus metrics in the text exposition format."""
        return PlainText(runtime.metrics.render(), CONTENT_TYPE)

    return api.blueprint
