"""The kill-switch ladder, live (INV-7, TEL-4, THB-6): on trio's MockClock with a fake load it
steps the product down and back up without flapping, each step audited, metered and told to
users; an admin pins it over HTTP, and the orchestrator refuses what the ladder refuses."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import trio
from msgspec.structs import replace
from prometheus_client import CollectorRegistry
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.actors import open_running
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.assembly.services import Services
from vvtv.clock import utc_now
from vvtv.config import ConfigBundle
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.events import ServiceNotice
from vvtv.cost.ladder import KillSwitch
from vvtv.cost.ladder import LadderPorts
from vvtv.cost.metrics import CostMetrics
from vvtv.cost.metrics import LadderMetrics
from vvtv.cost.service import CostMeter
from vvtv.cost.service import CostPorts
from vvtv.cost.service import session_loads
from vvtv.domain.cost import ModeLoad
from vvtv.errors import Unavailable
from vvtv.observability.audit import AuditRecord


@pytest.mark.req("INV-7", "TEL-4", "THB-6")
async def test_a_fake_load_steps_it_down_then_back_up_without_flapping(
    config_bundle: ConfigBundle, autojump_clock: trio.abc.Clock
) -> None:
    registry = CollectorRegistry()
    active: Counter[str] = Counter()
    loads_of = session_loads(config_bundle)

    async def loads() -> list[ModeLoad]:
        return loads_of(active)

    audited: list[AuditRecord] = []
    notices: list[tuple[float, ServerEvent]] = []

    async def audit(record: AuditRecord) -> int:
        audited.append(record)
        return len(audited)

    meter = CostMeter(
        config_bundle,
        CostPorts(loads, lambda: {}, lambda: 0, utc_now, CostMetrics(registry)),
    )
    ladder = KillSwitch(
        config_bundle,
        LadderPorts(
            audit=audit,
            notify_all=lambda event: notices.append((trio.current_time(), event)),
            clock=utc_now,
            metrics=LadderMetrics(registry),
        ),
    )
    meter.on_sample(ladder.observe)
    dwell = config_bundle.limits.kill_switches.ladder.min_dwell_s
    steps = config_bundle.limits.kill_switches.ladder.steps
    start = trio.current_time()
    async with open_running(meter, name="cost meter"):
        # 100 random calls: 0.439 x 0.632 Mbps x 2 x 100 = 55.5 GB/h, over the 50 GB/h ceiling.
        active["random"] = 100
        await trio.sleep(len(steps) * dwell + 30)
        assert ladder.status().level == len(steps)
        assert not ladder.engaged("nonexistent")
        with pytest.raises(Unavailable) as refused:
            ladder.admit("private_call")
        assert refused.value.code == "kill_switch"
        ladder.admit("party")  # tiles are stepped down, sessions of Party are not refused
        # 70 calls (38.9 GB/h): below the ceiling, above 70 % of it: it holds.
        active["random"] = 70
        await trio.sleep(3 * dwell)
        assert ladder.status().level == len(steps)
        # 10 calls (5.5 GB/h): well below; back up one step per dwell.
        active["random"] = 10
        await trio.sleep(len(steps) * dwell + 30)
        assert ladder.status().level == 0

    levels = [event.level for _, event in notices if isinstance(event, ServiceNotice)]
    assert levels == [1, 2, 3, 4, 5, 4, 3, 2, 1, 0]
    assert [event.step for _, event in notices if isinstance(event, ServiceNotice)][:5] == list(
        steps
    )
    times = [at - start for at, _ in notices]
    assert all(later - earlier >= dwell for earlier, later in pairwise(times))
    assert [record.detail["to"] for record in audited] == levels
    assert {record.action for record in audited} == {"kill_switch.step"}
    assert all(record.actor_id is None and record.reason == "egress" for record in audited)
    sample = registry.get_sample_value
    assert sample("vvtv_kill_switch_level", {}) == 0
    assert sample("vvtv_kill_switch_changes_total", {"cause": "load", "direction": "down"}) == 5
    assert sample("vvtv_kill_switch_changes_total", {"cause": "load", "direction": "up"}) == 5


@pytest.fixture
async def party_refusing(
    cheap_config: ConfigBundle, tmp_path: Path
) -> AsyncIterator[tuple[HttpClient, Services]]:
    """The shipped config, except that the last step also refuses new Party sessions: a mode a
    plain user may start, to see the orchestrator ask the ladder."""
    kill = cheap_config.limits.kill_switches
    ladder = replace(kill.ladder, call_modes=(*kill.ladder.call_modes, "party"))
    limits = replace(cheap_config.limits, kill_switches=replace(kill, ladder=ladder))
    async with open_runtime(replace(cheap_config, limits=limits), tmp_path / "var") as opened:
        yield create_app(*opened).test_client(), opened[1]


PARTY = {
    "mode": "party",
    "audience_type": "group",
    "stream_transport": "webrtc",
    "intent_label": "party_presence",
}


@pytest.mark.req("INV-7", "TEL-6")
async def test_an_admin_pins_the_ladder_users_hear_it_and_new_sessions_are_refused(
    party_refusing: tuple[HttpClient, Services],
) -> None:
    client, services = party_refusing
    admin = await staff(services, client, "root", "admin")
    user = await signup(client, "viewer")
    body: dict[str, Any] = {"level": 5, "reason": "load test tonight"}
    assert (await client.post("/admin/kill-switch", json=body)).status_code == 401
    forbidden = await client.post("/admin/kill-switch", json=body, headers=bearer(user))
    assert forbidden.status_code == 403
    async with client.websocket("/ws") as socket:
        await socket.send_json({"type": "auth", "access_token": user["access_token"]})
        assert (await socket.receive_json())["type"] == "auth.ok"
        pinned = await client.post("/admin/kill-switch", json=body, headers=bearer(admin))
        assert pinned.status_code == 200
        status = await pinned.get_json()
        assert (status["level"], status["override_level"]) == (5, 5)
        assert status["engaged"][-1] == "new_calls_refused"
        notice = await socket.receive_json()
    assert notice == {
        "type": "service.notice",
        "v": 1,
        "level": 5,
        "step": "new_calls_refused",
        "shield": None,
    }

    refused = await client.post("/sessions", json=PARTY, headers=bearer(user))
    assert refused.status_code == 503
    assert (await refused.get_json())["code"] == "kill_switch"

    bad = await client.post(
        "/admin/kill-switch", json={"level": 9, "reason": "x"}, headers=bearer(admin)
    )
    assert (bad.status_code, (await bad.get_json())["code"]) == (400, "invalid_level")
    lifted = await client.post(
        "/admin/kill-switch", json={"level": None, "reason": "done"}, headers=bearer(admin)
    )
    assert (await lifted.get_json())["level"] == 0
    assert (await client.post("/sessions", json=PARTY, headers=bearer(user))).status_code == 201

    audit = await (await client.get("/admin/audit", headers=bearer(admin))).get_json()
    steps = [entry for entry in audit["entries"] if entry["action"] == "kill_switch.step"]
    assert [(e["detail"]["to"], e["reason"]) for e in steps] == [
        (0, "done"),
        (5, "load test tonight"),
    ]
    me = await (await client.get("/me", headers=bearer(admin))).get_json()
    assert {entry["actor_id"] for entry in steps} == {me["id"]}
