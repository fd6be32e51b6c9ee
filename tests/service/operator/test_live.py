"""`GET /admin/live` (TEL-5): admins only; the channel's viewers (devices whose player asked what
airs), Party's members, Random's queue and the calls running, each from the context that keeps
it, and the services that are not ok."""

from __future__ import annotations

from typing import Any

import pytest
import trio
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.assembly.services import Services
from vvtv.runtime import Runtime


async def _live(client: HttpClient, admin: dict[str, Any]) -> dict[str, Any]:
    response = await client.get("/admin/live", headers=bearer(admin))
    assert response.status_code == 200
    status: dict[str, Any] = await response.get_json()
    return status


@pytest.mark.req("TEL-5", "AUTH-4")
async def test_the_live_counts_follow_what_people_do_for_admins_only(
    client: HttpClient, services: Services, runtime: Runtime
) -> None:
    assert (await client.get("/admin/live")).status_code == 401
    ana = await signup(client, "ana")
    bob = await signup(client, "bob")
    assert (await client.get("/admin/live", headers=bearer(ana))).status_code == 403
    admin = await staff(services, client, "root", "admin")
    before = await _live(client, admin)
    assert (before["channel_viewers"], before["party_members"]) == (0, 0)
    assert (before["random_queue"], before["calls"]) == (0, 0)

    # Two devices' players ask what airs (one twice); a header that is no device id is ignored.
    for device in ("device-aaaa", "device-bbbb", "device-aaaa", "x"):
        asked = await client.get("/channel/now", headers={"X-Device-Id": device})
        assert asked.status_code == 200
    joined = await client.post(
        "/presence/set", json={"presence_mode": "party"}, headers=bearer(ana)
    )
    assert joined.status_code == 200, await joined.get_data()
    searching = await client.post("/match/join", json={}, headers=bearer(bob))
    assert searching.status_code == 200, await searching.get_data()
    # A private call: ana invites, bob accepts, the orchestrator starts it.
    invited = await client.post(
        "/consent/invites", json={"invitee_id": ana["user"]["id"]}, headers=bearer(admin)
    )
    invite = (await invited.get_json())["id"]
    accepted = await client.post(f"/consent/invites/{invite}/accept", json={}, headers=bearer(ana))
    assert accepted.status_code == 200, await accepted.get_data()
    await services.cost.sample()  # calls are the sessions the cost meter last saw running

    after = await _live(client, admin)
    assert after["channel_viewers"] == 2
    assert after["party_members"] == 1
    assert after["random_queue"] == 1
    assert after["calls"] == 1
    assert runtime.metrics.registry.get_sample_value("vvtv_channel_viewers", {}) == 2


@pytest.mark.req("TEL-5")
async def test_the_alerts_are_the_services_not_ok(
    client: HttpClient, services: Services, runtime: Runtime
) -> None:
    assert runtime.health is not None
    runtime.health.sample(trio.current_time())
    admin = await staff(services, client, "root", "admin")
    alerts = (await _live(client, admin))["alerts"]
    expected = [s for s in runtime.health.services() if s.state != "ok"]
    assert [(a["service"], a["state"]) for a in alerts] == [(s.service, s.state) for s in expected]
    # This test's process runs no channel: the broadcast service is down, and says so.
    assert ("broadcast", "down") in [(a["service"], a["state"]) for a in alerts]
