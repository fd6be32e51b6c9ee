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

from tests.accounts import PASSWORD
from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.assembly.services import Services
from vvtv.web.routing import route_specs

pytestmark = pytest.mark.req("AUTH-3", "AUTH-4")

# (method, rule) -> (access, body, query). `<user_id>` is always another user's id: the victim.
MATRIX: dict[tuple[str, str], tuple[str, dict[str, Any] | None, str]] = {
    ("GET", "/healthz"): ("public", None, ""),
    ("GET", "/readyz"): ("public", None, ""),
    ("GET", "/metrics"): ("public", None, ""),
    ("GET", "/modes"): ("public", None, ""),
    ("GET", "/terms"): ("public", None, ""),
    ("GET", "/docs"): ("public", None, ""),
    ("GET", "/skin.css"): ("public", None, ""),
    ("POST", "/telemetry/events"): ("public", {"events": [{"name": "app_open"}]}, ""),
    ("GET", "/telemetry/qos"): ("user", None, ""),
    ("GET", "/admin/funnel"): ("admin", None, ""),
    ("GET", "/admin/incident"): ("admin", None, ""),
    ("POST", "/admin/incident"): ("admin", {"active": False, "reason": "matrix"}, ""),
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
    ("GET", "/admin/cost"): ("admin", None, ""),
    ("GET", "/admin/live"): ("admin", None, ""),
    ("GET", "/admin/cost/history"): ("admin", None, "?after_seq=0"),
    ("GET", "/service/notice"): ("user", None, ""),
    ("GET", "/admin/kill-switch"): ("admin", None, ""),
    ("POST", "/admin/kill-switch"): ("admin", {"level": None, "reason": "matrix"}, ""),
    # Shield Mode (issue 16) is the operator's; held messages are moderators' to review.
    ("GET", "/admin/shield"): ("admin", None, ""),
    ("POST", "/admin/shield"): ("admin", {"active": False, "reason": "matrix"}, ""),
    ("GET", "/mod/held"): ("mod", None, ""),
    ("POST", "/mod/held/<int:held_id>/decision"): ("mod", {"action": "reject"}, ""),
    # Sessions: `<session_id>` is the victim's; only participants (and admins) see it.
    ("POST", "/sessions"): (
        "user",
        {
            "mode": "party",
            "audience_type": "group",
            "stream_transport": "webrtc",
            "intent_label": "party_presence",
        },
        "",
    ),
    ("POST", "/sessions/transition"): (
        "user",
        {
            "from_session_id": "<hexid:session_id>",
            "to_mode": "sniffers",
            "audience_type": "group",
            "stream_transport": "webrtc",
            "intent_label": "discover",
        },
        "",
    ),
    ("GET", "/sessions/<hexid:session_id>"): ("user", None, ""),
    ("POST", "/sessions/<hexid:session_id>/heartbeat"): ("user", {}, ""),
    ("POST", "/sessions/<hexid:session_id>/offer"): ("user", {"role": "publish", "sdp": "v=0"}, ""),
    ("GET", "/sessions/<hexid:session_id>/turn"): ("user", None, ""),
    ("POST", "/sessions/<hexid:session_id>/end"): ("user", {"reason": "user"}, ""),
    # Presence: every signed-in user reads it and sets their own (PRS-3).
    ("GET", "/presence/party"): ("user", None, ""),
    ("GET", "/presence/grid"): ("user", None, "?tags=music&camera_on=true"),
    ("POST", "/presence/set"): ("user", {"presence_mode": "party"}, ""),
    ("POST", "/presence/heartbeat"): ("user", {}, ""),
    # Chat: every signed-in user opens threads; someone else's thread is unknown (404).
    ("POST", "/chat/thread"): ("user", {"scope": "private_1to1", "peer_user_id": "<user_id>"}, ""),
    ("GET", "/chat/<hexid:thread_id>/messages"): ("user", None, ""),
    ("POST", "/chat/<hexid:thread_id>/messages"): ("user", {"body": "hi"}, ""),
    ("POST", "/chat/<hexid:thread_id>/report"): ("user", {"reason_code": "spam"}, ""),
    # Reports: every signed-in user files their own and reads their own warnings (someone else's
    # warning is unknown: 404); the queue, decisions and histories are the moderators' (MOD-5).
    ("GET", "/reports/reasons"): ("user", None, ""),
    ("POST", "/reports"): (
        "user",
        {"target_user_id": "<user_id>", "reason_code": "spam", "context": "profile_card"},
        "",
    ),
    ("GET", "/moderation/warnings"): ("user", None, ""),
    ("POST", "/moderation/warnings/<int:warning_id>/seen"): ("user", {}, ""),
    ("GET", "/admin/reports"): ("mod", None, ""),
    ("GET", "/admin/reports/<int:report_id>"): ("mod", None, ""),
    ("POST", "/admin/reports/<int:report_id>/claim"): ("mod", {}, ""),
    ("POST", "/admin/reports/<int:report_id>/decision"): (
        "mod",
        {"action": "dismiss", "reason": "matrix"},
        "",
    ),
    ("POST", "/admin/reports/bulk"): (
        "mod",
        {"report_ids": [1], "action": "dismiss", "reason": "matrix"},
        "",
    ),
    ("GET", "/admin/users/<user_id>/history"): ("mod", None, ""),
    # Consent: every signed-in user invites and answers; someone else's invite is unknown (404).
    ("POST", "/consent/invites"): ("user", {"invitee_id": "<user_id>"}, ""),
    ("GET", "/consent/invites"): ("user", None, ""),
    ("POST", "/consent/invites/<hexid:invite_id>/accept"): ("user", {}, ""),
    ("POST", "/consent/invites/<hexid:invite_id>/decline"): ("user", {}, ""),
    ("DELETE", "/consent/invites/<hexid:invite_id>"): ("user", None, ""),
    # Random: every signed-in user searches, skips and leaves their own place in the queue.
    ("POST", "/match/join"): ("user", {}, ""),
    ("POST", "/match/skip"): ("user", {}, ""),
    ("POST", "/match/leave"): ("user", {}, ""),
    ("GET", "/match/state"): ("user", None, ""),
    # The channel: watching is public, running it is the operator's.
    ("GET", "/lab/health"): ("public", None, ""),
    ("GET", "/live/<path:path>"): ("public", None, ""),
    ("GET", "/channel/now"): ("public", None, ""),
    # The web UI: a page at every mode's route, even a mode that needs a sign-in (the UI asks).
    ("GET", "/"): ("public", None, ""),
    ("GET", "/party"): ("public", None, ""),
    ("GET", "/sniffers"): ("public", None, ""),
    ("GET", "/random"): ("public", None, ""),
    ("GET", "/call/<urltoken:token>"): ("public", None, ""),
    ("GET", "/mirror"): ("public", None, ""),
    ("GET", "/live"): ("public", None, ""),
    ("GET", "/operator"): ("public", None, ""),
    ("GET", "/mod"): ("public", None, ""),
    ("GET", "/assets/<path:path>"): ("public", None, ""),
    ("GET", "/lab/status"): ("admin", None, ""),
    ("GET", "/lab/policies"): ("admin", None, ""),
    ("GET", "/lab/policies/<int:version>"): ("admin", None, ""),
    ("GET", "/lab/policies/history"): ("admin", None, ""),
    ("GET", "/lab/catalog"): ("admin", None, ""),
    ("GET", "/lab/agents"): ("admin", None, ""),
    ("POST", "/lab/start"): ("admin", {"reason": "matrix"}, ""),
    ("POST", "/lab/stop"): ("admin", {"reason": "matrix"}, ""),
    ("POST", "/lab/policies/reload"): ("admin", {"reason": "matrix"}, ""),
    ("POST", "/lab/playlist/rotate"): ("admin", {"reason": "matrix"}, ""),
    ("PUT", "/lab/policies"): ("admin", {}, ""),
    ("POST", "/lab/agents/<name>/status"): ("admin", {}, ""),
    ("POST", "/lab/catalog"): (
        "admin",
        {"source": "https://cdn.example/m.mp4", "duration_s": 30},
        "",
    ),
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
    victim_tokens = await signup(client, "victim")
    victim = victim_tokens["user"]["id"]
    created = await client.post(
        "/sessions", json=MATRIX[("POST", "/sessions")][1], headers=bearer(victim_tokens)
    )
    session = (await created.get_json())["id"]
    values = {
        "<user_id>": victim,
        "<hexid:session_id>": session,
        "<hexid:thread_id>": "0" * 32,  # no thread: past the guard, the route answers 404
        "<hexid:invite_id>": "0" * 32,  # no invite: past the guard, the route answers 404
        "<path:path>": "master.m3u8",
        "<int:version>": "1",
        "<int:warning_id>": "999999",  # nobody's: past the guard, the route answers 404
        "<int:report_id>": "999999",
        "<int:held_id>": "999999",  # nothing held: past the guard, the route answers 404
        "<name>": "lab",
        "<urltoken:token>": "an-invite-token",
    }
    for (method, rule), (access, body, query) in MATRIX.items():
        if method == "WS":
            continue
        path = rule
        for placeholder, value in values.items():
            path = path.replace(placeholder, value)
        path += query
        payload = None if body is None else _fill(body, values)
        for role, headers in callers.items():
            response = await client.open(path, method=method, json=payload, headers=headers)
            allowed = RANK[role] >= NEEDS[access]
            where = f"{role} {method} {rule} -> {response.status_code}"
            if allowed:
                # Past the guard; the route itself may still refuse (e.g. a bad refresh token).
                if response.status_code in (401, 403):
                    code = (await response.get_json())["code"]
                    assert code not in ("unauthenticated", "forbidden"), where
                if "<hexid:session_id>" in rule and role in ("user", "other_user", "mod"):
                    # Another user's session: it does not exist for them (no leak, no action).
                    assert response.status_code == 404, where
            elif role == "anonymous":
                assert response.status_code == 401, where
                assert (await response.get_json())["code"] == "unauthenticated"
            else:
                assert response.status_code == 403, where
                assert (await response.get_json())["code"] == "forbidden"


def _fill(body: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    return {
        key: values.get(value, value) if isinstance(value, str) else value
        for key, value in body.items()
    }


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
