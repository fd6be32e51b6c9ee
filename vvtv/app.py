"""The app factory: one QuartTrio app over one Runtime and its services."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

from quart import Blueprint
from quart import Response
from quart import g
from quart import request
from quart_schema import Info
from quart_schema import QuartSchema
from quart_trio import QuartTrio
from werkzeug.exceptions import HTTPException

from vvtv.assembly.services import Services
from vvtv.chat import api as chat_api
from vvtv.consent import api as consent_api
from vvtv.contracts import CONTRACTS_VERSION
from vvtv.cost import api as cost_api
from vvtv.identity import api as identity_api
from vvtv.identity.guard import identity_guard
from vvtv.identity.openapi import schema_overrides as identity_schemas
from vvtv.lab import api as lab_api
from vvtv.lab.auth import token_or
from vvtv.lab.board import board_routes
from vvtv.lab.openapi import schema_overrides as lab_schemas
from vvtv.matching import api as matching_api
from vvtv.moderation import api as moderation_api
from vvtv.modes import api as modes_api
from vvtv.observability.tracing import TRACE_ID_HEADER
from vvtv.observability.tracing import TRACEPARENT
from vvtv.observability.tracing import Tracing
from vvtv.operator import api as operator_api
from vvtv.presence import api as presence_api
from vvtv.presence.openapi import schema_overrides as presence_schemas
from vvtv.runtime import Runtime
from vvtv.sessions import api as sessions_api
from vvtv.shield import api as shield_api
from vvtv.telemetry import api as telemetry_api
from vvtv.telemetry.openapi import schema_overrides as telemetry_schemas
from vvtv.web import shell
from vvtv.web import system
from vvtv.web import terms
from vvtv.web.asgi import WebApp
from vvtv.web.errors import install_error_handlers
from vvtv.web.openapi import SCHEMA_OVERRIDES
from vvtv.web.openapi import VvtvOpenAPI
from vvtv.web.routing import CONVERTERS
from vvtv.web.routing import undeclared_routes
from vvtv.web.sockets import socket_route

GUARD = "vvtv.guard"


def create_app(runtime: Runtime, services: Services, *, ui_dir: Path = shell.STATIC_DIR) -> WebApp:
    """`ui_dir`: the built web UI (index.html, assets/); tests point it at a folder of their own."""
    # A closing socket's peer gets `close_flush_s` for its last events, and sends late as long.
    app = WebApp("vvtv", socket_linger_s=runtime.config.limits.auth.socket.close_flush_s)
    app.url_map.converters.update(CONVERTERS)
    app.config["MAX_CONTENT_LENGTH"] = runtime.config.limits.runtime.http.max_body_bytes
    QuartSchema(
        app,
        info=Info(title="VVTV", version=f"{CONTRACTS_VERSION}.0"),
        openapi_provider_class=VvtvOpenAPI,
        conversion_preference="msgspec",
        openapi_path="/openapi.json",
        # /docs is ours (shell.py): quart-schema's page loads Swagger UI from a CDN.
        swagger_ui_path=None,
        redoc_ui_path=None,
        scalar_ui_path=None,
        security_schemes={"bearer": {"type": "http", "scheme": "bearer", "bearer_format": "JWT"}},
    )
    app.extensions[SCHEMA_OVERRIDES] = (
        telemetry_schemas(runtime.config)
        | identity_schemas(runtime.config)
        | presence_schemas(runtime.config)
        | lab_schemas(runtime.config)
    )
    install_error_handlers(app)
    _count_requests(app, runtime)
    _trace_requests(app, runtime.tracing or Tracing(runtime.config.limits.observability.tracing))
    guard = app.extensions[GUARD] = identity_guard(services.identity)
    auth = runtime.config.limits.auth
    app.register_blueprint(system.routes(runtime, guard))
    app.register_blueprint(telemetry_api.routes(runtime, services.incident, guard))
    app.register_blueprint(modes_api.routes(runtime.config, guard))
    app.register_blueprint(terms.routes(runtime.config, guard))
    app.register_blueprint(identity_api.routes(services.identity, services.audit, auth, guard))
    # The channel (LAB-5/8): control admin-only, /live/ and /lab/health public; agents push their
    # status with the shared lab token or an admin's bearer token.
    app.register_blueprint(sessions_api.routes(services.sessions, guard))
    app.register_blueprint(presence_api.routes(services.presence, guard))
    app.register_blueprint(chat_api.routes(services.chat, guard))
    app.register_blueprint(moderation_api.routes(services.moderation, guard))
    app.register_blueprint(consent_api.routes(services.consent, guard))
    app.register_blueprint(matching_api.routes(services.matching, guard))
    app.register_blueprint(lab_api.routes(services.lab, guard))
    app.register_blueprint(cost_api.routes(services.cost, services.kill_switch, guard))
    app.register_blueprint(operator_api.routes(services.live, guard))
    app.register_blueprint(shield_api.routes(services.shield, guard))
    app.register_blueprint(
        board_routes(services.lab_board, guard, token_or(services.lab_token, guard))
    )
    # The web UI: index.html at every mode's route (deep links), its build's assets (UI-6, UI-8).
    app.register_blueprint(shell.routes(runtime.config, guard, ui_dir))
    sockets = Blueprint("sockets", __name__)
    socket_route(sockets, "/ws", services.sockets)
    app.register_blueprint(sockets)
    if missing := undeclared_routes(app):
        raise RuntimeError(f"routes without a declared schema and guard (INV-9): {missing}")
    return app


def _trace_requests(app: QuartTrio, tracing: Tracing) -> None:
    """TEL-7: each request runs under a trace id (the caller's `traceparent` trace, else a new
    one), named in its response, its log lines and its audit entries."""

    @app.before_request
    async def begin() -> None:
        g.trace = ExitStack()
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        g.trace_id = g.trace.enter_context(
            tracing.span(f"{request.method} {rule}", request.headers.get(TRACEPARENT))
        )

    @app.after_request
    async def name_it(response: Response) -> Response:
        trace_id = getattr(g, "trace_id", None)
        if trace_id is not None:
            response.headers[TRACE_ID_HEADER] = trace_id
        return response

    @app.teardown_request
    async def end(error: BaseException | None) -> None:
        trace = getattr(g, "trace", None)
        if trace is not None:
            trace.close()


def _count_requests(app: QuartTrio, runtime: Runtime) -> None:
    @app.before_request
    async def started() -> None:
        g.started = time.perf_counter()

    @app.after_request
    async def finished(response: Response) -> Response:
        # Read what the handler left unread: hypercorn does not recycle a keep-alive connection
        # whose request body was never consumed, so the client's next request would hang.
        try:
            await request.get_data()
        except HTTPException:
            response.headers["Connection"] = "close"
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        runtime.metrics.http_requests.labels(route, request.method, str(response.status_code)).inc()
        if response.content_length:
            runtime.metrics.count_response(route, response.content_length)
        started = getattr(g, "started", None)
        if started is not None:
            elapsed = time.perf_counter() - started
            runtime.metrics.http_duration.labels(route, request.method).observe(elapsed)
        return response
