"""The cost meter's history for the operator's charts (TEL-4): bounded by config, read by admins
only, new samples by `after_seq`; and what users are told of the ladder (INV-7)."""

from __future__ import annotations

from collections import Counter

import pytest
from msgspec.structs import replace
from prometheus_client import CollectorRegistry
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.assembly.services import Services
from vvtv.clock import utc_now
from vvtv.config import ConfigBundle
from vvtv.cost.metrics import CostMetrics
from vvtv.cost.service import CostMeter
from vvtv.cost.service import CostPorts
from vvtv.cost.service import session_loads
from vvtv.domain.cost import ModeLoad


@pytest.mark.req("TEL-4")
async def test_the_history_keeps_the_configured_number_of_samples_and_each_modes_figures(
    config_bundle: ConfigBundle,
) -> None:
    cost = replace(config_bundle.limits.cost, history_samples=3)
    config = replace(config_bundle, limits=replace(config_bundle.limits, cost=cost))
    active: Counter[str] = Counter()
    loads_of = session_loads(config)
    told: list[dict[str, object]] = []

    async def loads() -> list[ModeLoad]:
        return loads_of(active)

    meter = CostMeter(
        config,
        CostPorts(
            loads, lambda: {}, lambda: 0, utc_now, CostMetrics(CollectorRegistry()),
            emit=lambda name, **properties: told.append({"event": name, **properties}),
        ),
    )  # fmt: skip
    for calls in range(1, 6):
        active["random"] = calls
        await meter.sample()
    history = meter.history()
    assert [point.seq for point in history.samples] == [3, 4, 5]
    assert history.sample_interval_s == config.limits.cost.sample_interval_s
    last = history.samples[-1]
    assert last.estimated_gb_per_hour["random"] == pytest.approx(0.439 * 0.632 * 5 * 2)
    assert last.estimated_usd_per_hour == pytest.approx(0.439 * 0.632 * 5 * 2 * 0.05)
    assert [point.seq for point in meter.history(after_seq=4).samples] == [5]
    assert meter.history(after_seq=5).samples == []
    # Each sample tells the server's telemetry what each busy mode costs (TEL-1, TEL-4).
    assert told[-1] == {
        "event": "cost_sample",
        "mode": "random",
        "concurrent_viewers": 5,
        "mbps_received": 0.632,
        "estimated_gb_per_hour": pytest.approx(0.439 * 0.632 * 5 * 2),
    }


@pytest.mark.req("TEL-4", "AUTH-4")
async def test_only_an_admin_reads_the_history(client: HttpClient, services: Services) -> None:
    assert (await client.get("/admin/cost/history")).status_code == 401
    user = await signup(client, "viewer")
    assert (await client.get("/admin/cost/history", headers=bearer(user))).status_code == 403
    admin = await staff(services, client, "root", "admin")
    await services.cost.sample()
    await services.cost.sample()
    response = await client.get("/admin/cost/history", headers=bearer(admin))
    assert response.status_code == 200
    samples = (await response.get_json())["samples"]
    seqs = [sample["seq"] for sample in samples]
    assert len(seqs) >= 2  # the meter's own loop may have sampled too
    assert seqs == sorted(seqs)
    newer = await client.get("/admin/cost/history?after_seq=1", headers=bearer(admin))
    assert [sample["seq"] for sample in (await newer.get_json())["samples"]] == [
        sample["seq"] for sample in samples if sample["seq"] > 1
    ]
    bad = await client.get("/admin/cost/history?after_seq=-1", headers=bearer(admin))
    assert (bad.status_code, (await bad.get_json())["code"]) == (400, "invalid_query")


@pytest.mark.req("INV-7", "AUTH-4")
async def test_a_signed_in_user_reads_how_far_the_product_stepped_down(
    client: HttpClient, services: Services
) -> None:
    assert (await client.get("/service/notice")).status_code == 401
    user = await signup(client, "viewer")
    calm = await client.get("/service/notice", headers=bearer(user))
    assert (calm.status_code, await calm.get_json()) == (
        200,
        {"level": 0, "step": None, "shield": None},
    )
    admin = await staff(services, client, "root", "admin")
    pinned = await client.post(
        "/admin/kill-switch", json={"level": 2, "reason": "drill"}, headers=bearer(admin)
    )
    assert pinned.status_code == 200
    stepped = await client.get("/service/notice", headers=bearer(user))
    assert await stepped.get_json() == {"level": 2, "step": "stills", "shield": None}
    assert (await client.get("/service/notice", headers=bearer(admin))).status_code == 200
