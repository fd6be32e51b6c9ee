"""QoS sampling and the incident flag (TEL-2): a share of calls (telemetry.qos_sampling_default,
10 %) send `qos_sample`; while an admin's incident flag is on, every call does. The switch is
admin-only, audited, told to every signed-in tab and kept across a restart; a tier whose
feature_flags.incident_mode is on holds it on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import PASSWORD
from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.config import ConfigBundle


async def _login(client: HttpClient, handle: str) -> dict[str, Any]:
    response = await client.post("/auth/login", json={"handle": handle, "password": PASSWORD})
    tokens: dict[str, Any] = await response.get_json()
    return tokens


@pytest.mark.req("TEL-2", "TEL-6", "AUTH-4")
async def test_an_admin_switches_incident_mode_every_tab_hears_and_a_restart_keeps_it(
    cheap_config: ConfigBundle, tmp_path: Path
) -> None:
    data = tmp_path / "var"
    rates = cheap_config.limits.telemetry
    body = {"active": True, "reason": "calls freezing in pt-BR"}
    async with open_runtime(cheap_config, data) as (runtime, services):
        client = create_app(runtime, services).test_client()
        assert (await client.get("/telemetry/qos")).status_code == 401
        user = await signup(client, "viewer")
        sampling = await (await client.get("/telemetry/qos", headers=bearer(user))).get_json()
        assert sampling == {
            "rate": rates.qos_sampling_default,
            "incident": False,
            "interval_s": rates.qos_sample_interval_s,
        }
        assert (await client.post("/admin/incident", json=body)).status_code == 401
        refused = await client.post("/admin/incident", json=body, headers=bearer(user))
        assert refused.status_code == 403
        assert (await client.get("/admin/incident", headers=bearer(user))).status_code == 403
        admin = await staff(services, client, "root", "admin")
        async with client.websocket("/ws") as socket:
            await socket.send_json({"type": "auth", "access_token": user["access_token"]})
            assert (await socket.receive_json())["type"] == "auth.ok"
            switched = await client.post("/admin/incident", json=body, headers=bearer(admin))
            assert switched.status_code == 200
            status = await switched.get_json()
            assert (status["active"], status["switched_on"], status["qos_rate"]) == (
                True, True, rates.qos_sampling_incident,
            )  # fmt: skip
            told = await socket.receive_json()
        assert told == {"type": "telemetry.sampling", "v": 1, "rate": 1.0, "incident": True}
        now = await (await client.get("/telemetry/qos", headers=bearer(user))).get_json()
        assert (now["rate"], now["incident"]) == (1.0, True)
        audit = await (await client.get("/admin/audit", headers=bearer(admin))).get_json()
        [entry] = [e for e in audit["entries"] if e["action"] == "incident.switch"]
        assert (entry["reason"], entry["detail"]["active"]) == (body["reason"], True)

    async with open_runtime(cheap_config, data) as (runtime, services):
        client = create_app(runtime, services).test_client()
        admin = await _login(client, "root")
        kept = await (await client.get("/admin/incident", headers=bearer(admin))).get_json()
        assert (kept["active"], kept["switched_on"]) == (True, True)
        off = await client.post(
            "/admin/incident", json={"active": False, "reason": "fixed"}, headers=bearer(admin)
        )
        assert (await off.get_json())["qos_rate"] == rates.qos_sampling_default


@pytest.mark.req("TEL-2")
async def test_a_tier_with_incident_mode_on_holds_it_on(
    cheap_config: ConfigBundle, tmp_path: Path
) -> None:
    flags = replace(cheap_config.limits.feature_flags, incident_mode=True)
    config = replace(cheap_config, limits=replace(cheap_config.limits, feature_flags=flags))
    async with open_runtime(config, tmp_path / "var") as (runtime, services):
        client = create_app(runtime, services).test_client()
        admin = await staff(services, client, "root", "admin")
        status = await (await client.get("/admin/incident", headers=bearer(admin))).get_json()
        assert (status["active"], status["forced_by_tier"], status["qos_rate"]) == (True, True, 1.0)
        off = await client.post(
            "/admin/incident", json={"active": False, "reason": "no"}, headers=bearer(admin)
        )
        assert (off.status_code, (await off.get_json())["code"]) == (409, "incident_forced")
