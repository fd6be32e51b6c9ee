"""The app factory: one QuartTrio app over one Runtime."""

from __future__ import annotations

import time

from quart import Response, g, request
from quart_schema import Info, QuartSchema
from quart_trio import QuartTrio

from vvtv.contracts import CONTRACTS_VERSION
from vvtv.runtime import Runtime
from vvtv.telemetry import api as telemetry_api
from vvtv.telemetry.schema import schema_overrides as telemetry_schemas
from vvtv.web import system
from vvtv.web.errors import install_error_handlers
from vvtv.web.guard import anonymous_guard
from vvtv.web.openapi import SCHEMA_OVERRIDES, VvtvOpenAPI
from vvtv.web.routing import undeclared_routes


def create_app(runtime: Runtime) -> QuartTrio:
    app = QuartTrio("vvtv")
    app.config["MAX_CONTENT_LENGTH"] = runtime.config.limits.runtime.http.max_body_bytes
    QuartSchema(
        app,
        info=Info(title="VVTV", version=f"{CONTRACTS_VERSION}.0"),
        openapi_provider_class=VvtvOpenAPI,
        conversion_preference="msgspec",
        openapi_path="/openapi.json",
        swagger_ui_path="/docs",
        redoc_ui_path=None,
        scalar_ui_path=None,
    )
    app.extensions[SCHEMA_OVERRIDES] = telemetry_schemas(runtime.config)
    install_error_handlers(app)
    _count_requests(app, runtime)
    guard = anonymous_guard()
    app.register_blueprint(system.routes(runtime, guard))
    app.register_blueprint(telemetry_api.routes(runtime, guard))
    if missing := undeclared_routes(app):
        raise RuntimeError(f"routes without a declared schema and guard (INV-9): {missing}")
    return app


def _count_requests(app: QuartTrio, runtime: Runtime) -> None:
    @app.before_request
    async def started() -> None:
        g.started = time.perf_counter()

    @app.after_request
    async def finished(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        runtime.metrics.http_requests.labels(route, request.method, str(response.status_code)).inc()
        started = getattr(g, "started", None)
        if started is not None:
            elapsed = time.perf_counter() - started
            runtime.metrics.http_duration.labels(route, request.method).observe(elapsed)
        return response
