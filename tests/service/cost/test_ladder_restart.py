"""The kill-switch ladder survives a restart (INV-7): the level the load reached and an admin's
pin are saved with each change, and a new process resumes there, its dwell starting afresh."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import PASSWORD
from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.clock import utc_now
from vvtv.config import ConfigBundle
from vvtv.contracts.cost import CostReport


def _egress(config: ConfigBundle, gb_per_hour: float) -> CostReport:
    """A cost sample whose total estimate is `gb_per_hour`."""
    return CostReport(
        at=utc_now(),
        price_per_gb_usd=config.limits.cost.price_per_gb_usd,
        ceiling_gb_per_hour=config.limits.kill_switches.max_estimated_egress_gb_per_hour_total,
        lines=[],
        total_estimated_gb_per_hour=gb_per_hour,
        total_measured_gb_per_hour=0.0,
        total_estimated_usd_per_hour=0.0,
        total_measured_usd_per_hour=0.0,
        channel_bytes_served=0,
    )


async def _status(client: HttpClient, admin: dict[str, Any]) -> dict[str, Any]:
    response = await client.get("/admin/kill-switch", headers=bearer(admin))
    assert response.status_code == 200
    status: dict[str, Any] = await response.get_json()
    return status


async def _login(client: HttpClient, handle: str) -> dict[str, Any]:
    response = await client.post("/auth/login", json={"handle": handle, "password": PASSWORD})
    assert response.status_code == 200
    tokens: dict[str, Any] = await response.get_json()
    return tokens


@pytest.mark.req("INV-7", "TEL-6")
async def test_the_loads_level_and_an_admins_pin_survive_a_restart(
    cheap_config: ConfigBundle, tmp_path: Path
) -> None:
    data = tmp_path / "var"
    over = cheap_config.limits.kill_switches.max_estimated_egress_gb_per_hour_total * 2
    async with open_runtime(cheap_config, data) as (runtime, services):
        client = create_app(runtime, services).test_client()
        admin = await staff(services, client, "root", "admin")
        await signup(client, "viewer")
        await services.kill_switch.observe(_egress(cheap_config, over))
        pinned = await client.post(
            "/admin/kill-switch", json={"level": 3, "reason": "drill"}, headers=bearer(admin)
        )
        assert pinned.status_code == 200
        before = await _status(client, admin)
    assert (before["level"], before["automatic_level"], before["override_level"]) == (3, 1, 3)

    async with open_runtime(cheap_config, data) as (runtime, services):
        client = create_app(runtime, services).test_client()
        admin = await _login(client, "root")
        after = await _status(client, admin)
        assert (after["level"], after["automatic_level"], after["override_level"]) == (3, 1, 3)
        user = await _login(client, "viewer")
        notice = await client.get("/service/notice", headers=bearer(user))
        assert await notice.get_json() == {"level": 3, "step": "party_tiles_off", "shield": None}
        sample = runtime.metrics.registry.get_sample_value
        assert sample("vvtv_kill_switch_level", {}) == 3
        # The dwell starts afresh: a load still over the ceiling does not step it at once.
        await services.kill_switch.observe(_egress(cheap_config, over))
        assert services.kill_switch.status().automatic_level == 1
        lifted = await client.post(
            "/admin/kill-switch", json={"level": None, "reason": "over"}, headers=bearer(admin)
        )
        assert (await lifted.get_json())["level"] == 1

    async with open_runtime(cheap_config, data) as (runtime, services):
        status = services.kill_switch.status()
        assert (status.level, status.override_level) == (1, None)
