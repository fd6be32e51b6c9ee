"""The funnel (TEL-1): every step counted, the clients' kept events beside the server's own, and
read by admins only; each server event is emitted where it happens, counted as it is."""

from __future__ import annotations

from typing import Any

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import PASSWORD
from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.assembly.services import Services
from vvtv.runtime import Runtime

PARTY = {
    "mode": "party",
    "audience_type": "group",
    "stream_transport": "webrtc",
    "intent_label": "party_presence",
}


async def _funnel(client: HttpClient, admin: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    response = await client.get("/admin/funnel", headers=bearer(admin))
    assert response.status_code == 200
    report = await response.get_json()
    return {
        chain["name"]: [(step["event"], step["count"]) for step in chain["steps"]]
        for chain in report["chains"]
    }


@pytest.mark.req("TEL-1", "AUTH-4")
async def test_the_funnel_counts_each_step_in_order_for_admins_only(
    client: HttpClient, services: Services
) -> None:
    assert (await client.get("/admin/funnel")).status_code == 401
    # A viewer's journey: the shell boots, the channel plays, the login CTA, a sign-up, a mode.
    events = [
        {"name": "app_open", "properties": {"route": "/", "device_class": "desktop"}},
        {"name": "view_broadcast", "properties": {"rendition": "720p"}},
        {"name": "click_login", "properties": {"from_mode": "broadcast"}},
    ]
    assert (await client.post("/telemetry/events", json={"events": events})).status_code == 202
    user = await signup(client, "viewer")
    entered = {"name": "enter_mode", "properties": {"mode": "party", "from_mode": "broadcast"}}
    await client.post("/telemetry/events", json={"events": [entered]})
    assert (await client.get("/admin/funnel", headers=bearer(user))).status_code == 403

    admin = await staff(services, client, "root", "admin")  # signs in: a second auth_success
    chains = await _funnel(client, admin)
    assert chains["funnel"] == [
        ("app_open", 1),
        ("view_broadcast", 1),
        ("click_login", 1),
        ("auth_success", 2),
        ("enter_mode", 1),
    ]
    assert chains["match"][0][0] == "match_join"


@pytest.mark.req("TEL-1", "TEL-3")
async def test_server_events_are_emitted_where_they_happen(
    client: HttpClient, services: Services, runtime: Runtime
) -> None:
    """Sign-in refused and succeeded, a block, a session made and ended, a chat message and a
    report, an invite and its answer: each one event, counted (never a body or an id of a
    blocked pair)."""
    ana = await signup(client, "ana")
    bob = await signup(client, "bob")
    wrong = await client.post("/auth/login", json={"handle": "ana", "password": "nope" * 3})
    assert wrong.status_code == 401
    assert (
        await client.post("/auth/login", json={"handle": "ana", "password": PASSWORD})
    ).status_code == 200
    created = await client.post("/sessions", json=PARTY, headers=bearer(ana))
    session = (await created.get_json())["id"]
    ended = await client.post(
        f"/sessions/{session}/end", json={"reason": "user"}, headers=bearer(ana)
    )
    assert ended.status_code == 200
    thread = await client.post(
        "/chat/thread",
        json={"scope": "private_1to1", "peer_user_id": bob["user"]["id"]},
        headers=bearer(ana),
    )
    thread_id = (await thread.get_json())["thread_id"]
    sent = await client.post(
        f"/chat/{thread_id}/messages", json={"body": "hello there"}, headers=bearer(ana)
    )
    assert sent.status_code == 200, await sent.get_data()
    reported = await client.post(
        f"/chat/{thread_id}/report", json={"reason_code": "spam"}, headers=bearer(bob)
    )
    assert reported.status_code in (200, 201), await reported.get_data()
    invited = await client.post(
        "/consent/invites", json={"invitee_id": bob["user"]["id"]}, headers=bearer(ana)
    )
    assert invited.status_code in (200, 201), await invited.get_data()
    invite = (await invited.get_json())["id"]
    declined = await client.post(f"/consent/invites/{invite}/decline", json={}, headers=bearer(bob))
    assert declined.status_code == 200, await declined.get_data()
    blocked = await client.post(f"/blocks/{bob['user']['id']}", json={}, headers=bearer(ana))
    assert blocked.status_code == 201

    def emitted(event: str) -> float | None:
        return runtime.metrics.registry.get_sample_value(
            "vvtv_server_events_total", {"event": event}
        )

    assert emitted("auth_success") == 3  # two sign-ups, one sign-in
    assert emitted("auth_failure") == 1
    assert emitted("session_created") == 1
    assert emitted("session_ended") == 1
    assert emitted("chat_message_sent") == 1
    assert emitted("report_submitted") == 1
    assert emitted("consent_requested") == 1
    assert emitted("consent_resolved") == 1
    assert emitted("user_blocked") == 1
