"""Bad input gets a clear 4xx naming the field; a failing handler never leaks a stack trace."""

from __future__ import annotations

from typing import Annotated
from typing import Literal

import msgspec
import pytest
from quart.typing import TestClientProtocol as HttpClient
from quart_trio import QuartTrio

from vvtv.app import GUARD
from vvtv.contracts import Contract
from vvtv.errors import Conflict
from vvtv.web.errors import error_event
from vvtv.web.errors import problem_from
from vvtv.web.routing import Routes


class Inner(Contract, frozen=True, kw_only=True):
    count: int


class Order(Contract, frozen=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(max_length=8)]
    inner: Inner
    kind: Literal["a", "b"] = "a"


class Echo(Contract, frozen=True, kw_only=True):
    name: str
    count: int


@pytest.fixture
def body_client(app: QuartTrio) -> HttpClient:
    api = Routes("probe", __name__, app.extensions[GUARD])

    @api.post("/probe", access="public")
    async def probe(body: Order) -> Echo:
        if body.name == "taken":
            raise Conflict("That name is taken.", code="name_taken", path="$.name")
        if body.name == "boom":
            raise RuntimeError("secret internals")
        return Echo(name=body.name, count=body.inner.count)

    @api.get("/members", access="user")
    async def members() -> Echo:
        return Echo(name="never", count=0)

    app.register_blueprint(api.blueprint)
    app.config["MAX_CONTENT_LENGTH"] = 256
    return app.test_client()


async def post(client: HttpClient, data: bytes, content_type: str = "application/json"):  # type: ignore[no-untyped-def]
    response = await client.post("/probe", data=data, headers={"content-type": content_type})
    return response.status_code, await response.get_json()


async def test_a_valid_body_reaches_the_handler(body_client: HttpClient) -> None:
    status, body = await post(body_client, b'{"name": "ok", "inner": {"count": 3}}')
    assert (status, body) == (200, {"name": "ok", "count": 3})


@pytest.mark.parametrize(
    ("raw", "code", "path"),
    [
        (b'{"name": "ok", "inner": {"count": 3}', "malformed_json", None),
        (b'{"name": "ok", "inner": {"count": "3"}}', "invalid_field", "$.inner.count"),
        (b'{"name": "ok", "inner": {"count": 3}, "extra": 1}', "invalid_field", "$.extra"),
        (b'{"name": "ok", "inner": {"count": 3, "x": 1}}', "invalid_field", "$.inner.x"),
        (b'{"inner": {"count": 3}}', "invalid_field", "$.name"),
        (b'{"name": "waytoolong", "inner": {"count": 3}}', "invalid_field", "$.name"),
        (b'{"name": "ok", "inner": {"count": 3}, "kind": "c"}', "invalid_field", "$.kind"),
        (b"[]", "invalid_field", "$"),
        (b"", "missing_body", None),  # the published schema says the body is required
        (b"  ", "missing_body", None),
    ],
)
async def test_bad_bodies_are_refused_naming_the_field(
    body_client: HttpClient, raw: bytes, code: str, path: str | None
) -> None:
    status, body = await post(body_client, raw)
    assert status == 400
    assert body["code"] == code
    assert body["path"] == path
    if path is not None:
        assert path in body["message"]


async def test_oversize_bodies_get_413(body_client: HttpClient) -> None:
    status, body = await post(body_client, b'{"name": "' + b"x" * 400 + b'"}')
    assert status == 413
    assert body["code"] == "request_entity_too_large"


async def test_non_json_bodies_get_415(body_client: HttpClient) -> None:
    status, body = await post(body_client, b"name=ok", content_type="text/plain")
    assert status == 415
    assert body["code"] == "unsupported_media_type"


async def test_domain_errors_keep_their_code_and_path(body_client: HttpClient) -> None:
    status, body = await post(body_client, b'{"name": "taken", "inner": {"count": 1}}')
    assert (status, body["code"], body["path"]) == (409, "name_taken", "$.name")


async def test_an_unexpected_failure_is_a_500_without_internals(
    body_client: HttpClient,
) -> None:
    """The one 500 shape: no message text, no stack trace, reach the client."""
    status, body = await post(body_client, b'{"name": "boom", "inner": {"count": 1}}')
    assert status == 500
    assert body["code"] == "internal"
    assert "secret" not in body["message"]


async def test_the_guard_refuses_non_public_routes_without_identity(
    body_client: HttpClient,
) -> None:
    response = await body_client.get("/members")
    assert response.status_code == 401
    assert (await response.get_json())["code"] == "unauthenticated"


def test_ws_error_event_mirrors_problem_json() -> None:
    """One mapping serves HTTP and WebSocket: the same status, code, message and path."""
    error = Conflict("That name is taken.", code="name_taken", path="$.name")
    problem, event = problem_from(error), error_event(error, ref="m1")
    assert (event.status, event.code, event.message, event.path) == (
        problem.status,
        problem.code,
        problem.message,
        problem.path,
    )
    assert event.ref == "m1"
    assert msgspec.json.decode(msgspec.json.encode(event))["type"] == "error"
