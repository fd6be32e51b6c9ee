"""AUTH-3 / AUTH-4: every route and the socket × (anonymous, user, another user, mod, admin).

The table below states, for each declared route, the access it must have and a request to try.
A route added without a row here fails `test_the_matrix_covers_every_declared_route`, so nobody
adds a route without deciding who may use it.
"""

from __future__ import annotations

from typing import Any

import pytest
from quart.typing import TestClientProtocol as HttpClient
from quart_trio import QuartTrio

from tests.identity.helpers import PASSWORD, bearer, signup, staff
from vvtv.assembly import Services
from vvtv.web.routing import route_specs

pytestmark = pytest.mark.req("AUTH-3", "AUTH-4")

# (method, rule) -> (access, body, query). `<user_id>` is always another user's id: the victim.
MATRIX: dict[tuple[str, str], tuple[str, dict[str, Any] | None, str]] = {
    ("GET", "/healthz"): ("public", None, ""),
    ("GET", "/readyz"): ("public", None, ""),
    ("GET", "/metrics"): ("public", None, ""),
    ("POST", "/telemetry/events"): ("public", {"events": [{"name": "app_open"}]}, ""),
    ("POST", "/auth/signup"): ("public", {"handle": "x", "password": "y"}, ""),
    ("POST", "/auth/login"): ("public", {"handle": "victim", "password": PASSWORD}, ""),
    ("POST", "/auth/refresh"): ("public", {"refresh_token": "not-a-token"}, ""),
    ("GET", "/me"): ("user", None, ""),
    ("GET", "/blocks"): ("user", None, ""),
    ("POST", "/blocks/<user_id>"): ("user", {}, ""),
    ("DELETE", "/blocks/<user_id>"): ("user", None, ""),
    ("GET", "/admin/users/<user_id>"): ("mod", None, ""),
    ("POST", "/admin/bans"): ("mod", {"user_id": "<user_id>", "reason": "matrix"}, ""),
    ("DELETE", "/admin/bans/<user_id>"): ("mod", None, "?reason=matrix"),
    ("POST", "/admin/users/<user_id>/quarantine"): ("mod", {"reason": "matrix"}, ""),
    ("DELETE", "/admin/users/<user_id>/quarantine"): ("mod", None, "?reason=matrix"),
    ("PUT", "/admin/users/<user_id>/role"): ("admin", {"role": "user", "reason": "matrix"}, ""),
    ("GET", "/admin/audit"): ("admin", None, ""),
    # Last: it ends the caller's sign-in.
    ("POST", "/auth/logout"): ("user", {}, ""),
    ("WS", "/ws"): ("user", None, ""),
}

RANK = {"anonymous": 0, "user": 1, "other_user": 1, "mod": 2, "admin": 3}
NEEDS = {"public": 0, "user": 1, "mod": 2, "admin": 3}


async def test_the_matrix_covers_every_declared_route(app: QuartTrio) -> None:
    declared = {(spec.method, spec.rule): spec.access for spec in route_specs(app)}
    assert set(declared) - set(MATRIX) == set(), "add a row to MATRIX for each new route"
    assert set(MATRIX) - set(declared) == set(), "remove rows of routes that are gone"
    for route, (access, _, _) in MATRIX.items():
        assert declared[route] == access, route


async def _callers(client: HttpClient, services: Services) -> dict[str, dict[str, str]]:
    user = await signup(client, "carol")
    other = await signup(client, "dave")
    mod = await staff(services, client, "moira", "mod")
    admin = await staff(services, client, "ada", "admin")
    return {
        "anonymous": {},
        "user": bearer(user),
        "other_user": bearer(other),
        "mod": bearer(mod),
        "admin": bearer(admin),
    }


async def test_every_http_route_answers_each_role_as_declared(
    client: HttpClient, services: Services
) -> None:
    callers = await _callers(client, services)
    victim = (await signup(client, "victim"))["user"]["id"]
    for (method, rule), (access, body, query) in MATRIX.items():
        if method == "WS":
            continue
        path = rule.replace("<user_id>", victim) + query
        payload = None if body is None else _fill(body, victim)
        for role, headers in callers.items():
            response = await client.open(path, method=method, json=payload, headers=headers)
            allowed = RANK[role] >= NEEDS[access]
            where = f"{role} {method} {rule} -> {response.status_code}"
            if allowed:
                # Past the guard; the route itself may still refuse (e.g. a bad refresh token).
                if response.status_code in (401, 403):
                    code = (await response.get_json())["code"]
                    assert code not in ("unauthenticated", "forbidden"), where
            elif role == "anonymous":
                assert response.status_code == 401, where
                assert (await response.get_json())["code"] == "unauthenticated"
            else:
                assert response.status_code == 403, where
                assert (await response.get_json())["code"] == "forbidden"


def _fill(body: dict[str, Any], victim: str) -> dict[str, Any]:
    return {key: victim if value == "<user_id>" else value for key, value in body.items()}


async def test_the_socket_refuses_anonymous_and_forged_tokens_and_takes_users(
    client: HttpClient, services: Services
) -> None:
    user = await signup(client, "sockuser")
    for message, code in (
        ({"type": "heartbeat"}, "unauthenticated"),
        ({"type": "auth", "access_token": "forged.token.value"}, "token_invalid"),
    ):
        async with client.websocket("/ws") as socket:
            await socket.send_json(message)
            error = await socket.receive_json()
            assert (error["type"], error["code"]) == ("error", code)
    async with client.websocket("/ws") as socket:
        await socket.send_json({"type": "auth", "access_token": user["access_token"]})
        ok = await socket.receive_json()
        assert (ok["type"], ok["user_id"]) == ("auth.ok", user["user"]["id"])
