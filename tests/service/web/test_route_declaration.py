"""INV-9: schema first. Every route declares who may use it and its request and response schemas."""

from __future__ import annotations

import pytest
from quart_trio import QuartTrio

from vvtv.app import GUARD
from vvtv.contracts.system import Health
from vvtv.web.routing import Routes
from vvtv.web.routing import route_specs
from vvtv.web.routing import undeclared_routes

pytestmark = pytest.mark.req("INV-9")


async def test_every_route_of_the_app_is_declared(app: QuartTrio) -> None:
    assert undeclared_routes(app) == []
    specs = route_specs(app)
    assert {spec.rule for spec in specs} >= {"/healthz", "/readyz", "/metrics"}
    for spec in specs:
        assert spec.response is not None
        assert spec.access in {"public", "user", "mod", "admin"}
        if spec.method in {"POST", "PUT", "PATCH"}:
            assert spec.body is not None


async def test_a_route_added_without_a_declaration_is_found(app: QuartTrio) -> None:

    @app.route("/sneaky")
    async def sneaky() -> str:
        return "no schema"

    assert undeclared_routes(app) == ["GET,HEAD,OPTIONS /sneaky"]


async def test_a_body_method_without_a_request_schema_cannot_be_declared(app: QuartTrio) -> None:
    api = Routes("bad", __name__, app.extensions[GUARD])

    async def no_body() -> Health:
        raise AssertionError("never registered")

    with pytest.raises(TypeError, match="INV-9"):
        api.post("/x", access="public")(no_body)


async def test_the_openapi_document_has_schemas_and_access_for_every_operation(
    app: QuartTrio,
) -> None:
    document = app.extensions["QUART_SCHEMA"].openapi_provider.schema()
    operations = [op for path in document["paths"].values() for op in path.values()]
    http_routes = [spec for spec in route_specs(app) if spec.method != "WS"]
    assert len(operations) == len(http_routes)
    for operation in operations:
        assert operation["x-access"] in {"public", "user", "mod", "admin"}
        for status, response in operation["responses"].items():
            (media,) = response["content"].values()
            assert media["schema"], (operation["operationId"], status)
    assert {"ServerEvent", "ClientMessage", "SessionView"} <= set(document["components"]["schemas"])
