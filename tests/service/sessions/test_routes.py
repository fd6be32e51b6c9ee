"""The session routes over HTTP, in the whole app behind the real identity guard."""

from __future__ import annotations

from typing import Any

import pytest
from quart.typing import TestClientProtocol as HttpClient

from vvtv.assembly.services import Services
from vvtv.contracts.identity import Signup
from vvtv.domain.agreements import Gate
from vvtv.runtime import Runtime

PASSWORD = "correct horse battery"


@pytest.fixture
def http(client: HttpClient) -> HttpClient:
    """The whole app: the sessions blueprint as `vvtv serve` mounts it, with the LocalSFU."""
    return client


async def bearer(runtime: Runtime, services: Services, handle: str) -> dict[str, str]:
    tokens = await services.identity.signup(
        Signup(
            handle=handle,
            password=PASSWORD,
            age_confirmed=True,
            terms_version=runtime.config.limits.auth.terms_version,
        )
    )
    return {"Authorization": f"Bearer {tokens.access_token}"}


SPEC = {"audience_type": "group", "stream_transport": "webrtc", "intent_label": "hang_out"}
CREATE = {"mode": "party", **SPEC}


async def json_of(response: Any) -> Any:
    return await response.get_json()


async def test_session_journey_over_http(
    http: HttpClient, runtime: Runtime, services: Services
) -> None:
    """SES-1, SES-2, SES-3 over HTTP: create, heartbeat, read, transition, end."""
    ana = await bearer(runtime, services, "ana")
    created = await http.post("/sessions", json=CREATE, headers=ana)
    assert created.status_code == 201, await created.get_data()
    session = await json_of(created)
    assert session["state"] == "active"
    assert session["media_profile"] == "thumb_low"

    beat = await http.post(f"/sessions/{session['id']}/heartbeat", headers=ana)
    assert beat.status_code == 200
    assert (await json_of(beat))[
        "expires_in_s"
    ] == runtime.config.limits.sessions.heartbeat_timeout_s

    read = await http.get(f"/sessions/{session['id']}", headers=ana)
    assert read.status_code == 200
    assert (await json_of(read))["id"] == session["id"]

    moved = await http.post(
        "/sessions/transition",
        json={**SPEC, "from_session_id": session["id"], "to_mode": "broadcast",
              "stream_transport": "hls", "audience_type": "broadcast"},
        headers=ana,
    )  # fmt: skip
    assert moved.status_code == 201, await moved.get_data()
    result = await json_of(moved)
    assert result["handover"] == "crossfade"
    assert result["ended"]["state"] == "ended"
    assert result["session"]["parent_session_id"] == session["id"]

    again = await http.post(
        "/sessions/transition",
        json={**SPEC, "from_session_id": session["id"], "to_mode": "sniffers"},
        headers=ana,
    )
    assert again.status_code == 409
    assert (await json_of(again))["code"] == "invalid_session_state"

    ended = await http.post(f"/sessions/{result['session']['id']}/end", json={}, headers=ana)
    assert ended.status_code == 200
    assert (await json_of(ended))["state"] == "ended"


async def test_errors_over_http(http: HttpClient, runtime: Runtime, services: Services) -> None:
    """SES-11 maps to 400 `unknown_profile`; outsiders get 404; anonymous callers 401."""
    ana = await bearer(runtime, services, "ana")
    bob = await bearer(runtime, services, "bob")
    unknown = await http.post("/sessions", json={**CREATE, "media_profile": "nope"}, headers=ana)
    assert unknown.status_code == 400
    assert (await json_of(unknown))["code"] == "unknown_profile"

    session = await json_of(await http.post("/sessions", json=CREATE, headers=ana))
    for response in (
        await http.get(f"/sessions/{session['id']}", headers=bob),
        await http.post(f"/sessions/{session['id']}/end", json={}, headers=bob),
        await http.post(f"/sessions/{session['id']}/heartbeat", headers=bob),
        await http.get(f"/sessions/{'0' * 32}", headers=ana),
    ):
        assert response.status_code == 404
        assert (await json_of(response))["code"] == "session_not_found"
    assert (await http.get(f"/sessions/{session['id']}")).status_code == 401


@pytest.mark.req("INV-2", "CNS-6")
async def test_a_user_gets_403_for_a_mode_that_needs_consent_or_a_match(
    http: HttpClient, runtime: Runtime, services: Services, gated_mode: tuple[str, Gate]
) -> None:
    """Neither `POST /sessions` nor a transition starts a call: only the consent and matching
    services do. The problem names the gate; the user's own session is left as it was."""
    mode, gate = gated_mode
    ana = await bearer(runtime, services, "ana")
    call = {"audience_type": "one_to_one", "stream_transport": "webrtc", "intent_label": mode}
    refused = await http.post("/sessions", json={**call, "mode": mode}, headers=ana)
    assert refused.status_code == 403
    problem = await json_of(refused)
    assert (problem["code"], problem["path"]) == (f"{gate}_required", "mode")

    party = await json_of(await http.post("/sessions", json=CREATE, headers=ana))
    moved = await http.post(
        "/sessions/transition",
        json={**call, "from_session_id": party["id"], "to_mode": mode},
        headers=ana,
    )
    assert moved.status_code == 403
    assert (await json_of(moved))["code"] == f"{gate}_required"
    still = await json_of(await http.get(f"/sessions/{party['id']}", headers=ana))
    assert still["state"] == "active"
