"""The agent on its own LAB machine: a small QuartTrio app (the lab routes behind the token
guard, plus /metrics) served by hypercorn, next to the LAB runtime, in one nursery."""

from __future__ import annotations

import logging

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve as hypercorn_serve
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import CollectorRegistry
from prometheus_client import generate_latest
from quart import Blueprint
from quart_trio import QuartTrio

from vvtv.lab.api import routes
from vvtv.lab.auth import token_guard
from vvtv.lab.runtime import LabRuntime
from vvtv.web.asgi import WebApp
from vvtv.web.errors import install_error_handlers
from vvtv.web.routing import CONVERTERS
from vvtv.web.routing import Guard
from vvtv.web.routing import PlainText
from vvtv.web.routing import Routes
from vvtv.web.routing import undeclared_routes

log = logging.getLogger(__name__)


def _metrics_routes(registry: CollectorRegistry, guard: Guard) -> Blueprint:
    api = Routes("lab_metrics", __name__, guard)

    @api.get("/metrics", access="public")
    async def metrics() -> PlainText:
        """Prometheus metrics of the agent."""
        return PlainText(generate_latest(registry), CONTENT_TYPE_LATEST)

    return api.blueprint


def create_app(lab: LabRuntime, token: str, registry: CollectorRegistry) -> QuartTrio:
    app = WebApp("vvtv.lab", static_folder=None)  # every route is declared (INV-9)
    app.url_map.converters.update(CONVERTERS)
    install_error_handlers(app)
    guard = token_guard(token, lab.audit, lab.clock)
    app.register_blueprint(routes(lab, guard))
    app.register_blueprint(_metrics_routes(registry, guard))
    if missing := undeclared_routes(app):
        raise RuntimeError(f"routes without a declared schema and guard (INV-9): {missing}")
    return app


async def serve(
    lab: LabRuntime,
    token: str,
    registry: CollectorRegistry,
    *,
    host: str = "127.0.0.1",
    port: int = 8090,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run the control API and the channel until cancelled; `started(binds)` once the API
    listens (the channel goes on air after the reserve loop is prepared)."""
    app = create_app(lab, token, registry)
    config = HypercornConfig()
    config.bind = [f"{host}:{port}"]
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    async with trio.open_nursery() as nursery:
        # The API first: health and control answer while the reserve loop is still prepared.
        binds = await nursery.start(_serve_http, app, config)
        log.info("lab agent on %s", ", ".join(binds))
        task_status.started(binds)
        await lab.run()


async def _serve_http(
    app: QuartTrio, config: HypercornConfig, task_status: trio.TaskStatus[list[str]]
) -> None:
    await hypercorn_serve(app, config, task_status=task_status)
