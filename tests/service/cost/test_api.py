"""`GET /admin/cost` (TEL-4): admins only, and it reports what the sessions run."""

from __future__ import annotations

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.assembly.services import Services

PARTY = {
    "mode": "party",
    "audience_type": "group",
    "stream_transport": "webrtc",
    "intent_label": "party_presence",
}


@pytest.mark.req("TEL-4", "AUTH-4")
async def test_only_an_admin_reads_the_cost_per_mode(
    client: HttpClient, services: Services
) -> None:
    assert (await client.get("/admin/cost")).status_code == 401
    user = await signup(client, "viewer")
    assert (await client.get("/admin/cost", headers=bearer(user))).status_code == 403
    created = await client.post("/sessions", json=PARTY, headers=bearer(user))
    assert created.status_code == 201, await created.get_data()

    await services.cost.sample()
    admin = await staff(services, client, "root", "admin")
    response = await client.get("/admin/cost", headers=bearer(admin))
    assert response.status_code == 200
    report = await response.get_json()
    party = next(line for line in report["lines"] if line["mode"] == "party")
    # One Party session: one 180 kbps tile, sent once (INV-10's per-session estimate, added up).
    assert party["viewers"] == 1
    assert party["estimated_gb_per_hour"] == pytest.approx(0.439 * 0.18)
    assert party["estimated_usd_per_hour"] == pytest.approx(0.439 * 0.18 * 0.05)
    assert report["price_per_gb_usd"] == 0.05
    assert report["ceiling_gb_per_hour"] == 50.0
