"""Invalid UTF-8 where JSON is expected is the client's mistake: a 400 `malformed_json` problem on
every route that takes a JSON body, an `error` event on `/ws` (the socket lives on); and a failure
of ours on the socket path is an `error` event or a logged 500, never a second error."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from quart.testing.connections import WebsocketResponseError
from quart.typing import TestClientProtocol as HttpClient
from quart_trio import QuartTrio

from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.assembly.services import Services
from vvtv.contracts.events import Heartbeat
from vvtv.domain.accounts import Principal
from vvtv.web.routing import route_specs

# The byte 0xff, which no UTF-8 text holds, in a key: every body schema reads its keys.
IN_A_KEY = b'{"\xff": 1}'
# Values the path converters accept; the body is refused before anything looks them up.
_PATH_VALUE = {"hexid": "0" * 32, "int": "1", "urltoken": "token"}
_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?\w+>")


def _path(rule: str) -> str:
    return _PARAMETER.sub(lambda m: _PATH_VALUE.get(m["converter"] or "", "someone"), rule)


async def _problem(client: HttpClient, method: str, path: str, body: bytes, headers: Any) -> Any:
    response = await client.open(
        path, method=method, data=body, headers=headers | {"content-type": "application/json"}
    )
    assert response.content_type == "application/problem+json", (method, path)
    return response.status_code, await response.get_json()


async def test_invalid_utf8_in_a_json_body_is_a_400_on_every_route_that_takes_one(
    app: QuartTrio, client: HttpClient, services: Services
) -> None:
    admin = bearer(await staff(services, client, "root", "admin"))
    routes = [spec for spec in route_specs(app) if spec.body is not None and spec.method != "WS"]
    rules = {spec.rule for spec in routes}
    assert {"/auth/login", "/auth/signup", "/auth/refresh", "/telemetry/events"} <= rules
    assert {"/sessions", "/sessions/transition", "/sessions/<hexid:session_id>/end"} <= rules
    answers = {
        (spec.method, spec.rule): await _problem(
            client, spec.method, _path(spec.rule), IN_A_KEY, admin
        )
        for spec in routes
    }
    for route, (status, problem) in answers.items():
        assert (status, problem["code"]) == (400, "malformed_json"), (route, problem)
        assert "UTF-8" in problem["message"]


@pytest.mark.parametrize("route", ["/auth/login", "/auth/signup"])
async def test_invalid_utf8_in_a_value_is_a_400(client: HttpClient, route: str) -> None:
    body = b'{"handle": "\xff", "password": "x"}'  # as reported: the raw byte in the handle
    status, problem = await _problem(client, "POST", route, body, {})
    assert (status, problem["code"]) == (400, "malformed_json"), problem


async def test_invalid_utf8_on_the_socket_is_an_error_event_and_the_socket_lives_on(
    client: HttpClient,
) -> None:
    user = await signup(client, "binary")
    async with client.websocket("/ws") as socket:
        await socket.send_json({"type": "auth", "access_token": user["access_token"]})
        assert (await socket.receive_json())["type"] == "auth.ok"
        # Binary frames (a text frame is text by then); text that is not JSON: test_sockets.py.
        for frame in (b'{"type": "heartbeat", "session_id": "\xff"}', b'{"type": "\xff"}'):
            await socket.send(frame)
            error = await socket.receive_json()
            assert (error["type"], error["status"], error["code"]) == (
                "error", 400, "malformed_json"
            ), error  # fmt: skip
        await socket.send_json({"type": "heartbeat"})
        assert (await socket.receive_json())["type"] == "heartbeat.ack"


async def test_a_failing_socket_handler_is_a_500_error_event_and_the_socket_lives_on(
    client: HttpClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    async def failing(principal: Principal, message: Heartbeat) -> None:
        raise RuntimeError("a bug of ours")

    services.sockets.handle({Heartbeat: failing})
    user = await signup(client, "unlucky")
    async with client.websocket("/ws") as socket:
        await socket.send_json({"type": "auth", "access_token": user["access_token"]})
        await socket.receive_json()
        await socket.send_json({"type": "heartbeat"})
        error = await socket.receive_json()
        assert (error["type"], error["status"], error["code"]) == ("error", 500, "internal")
        assert "a bug of ours" not in error["message"]
        await socket.send_json({"type": "auth", "access_token": "again"})
        assert (await socket.receive_json())["code"] == "already_authenticated"
    assert "a bug of ours" in caplog.text  # logged for us, with its traceback


async def test_an_error_on_a_socket_before_it_is_accepted_is_a_problem_not_a_second_error(
    app: QuartTrio, client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken() -> None:
        raise RuntimeError("a bug of ours")

    app.add_websocket("/broken-socket", view_func=broken)
    with caplog.at_level(logging.ERROR):
        async with client.websocket("/broken-socket") as socket:
            with pytest.raises(WebsocketResponseError) as refused:
                await socket.receive()
    assert refused.value.response.status_code == 500
    assert (await refused.value.response.get_json())["code"] == "internal"
    assert "socket failed: /broken-socket" in caplog.text
    assert "Not within a request context" not in caplog.text
