"""The channel inside `vvtv serve`'s app (LAB-5, LAB-8): the lab routes behind the identity guard,
the status board that the in-process agent and standalone agents push to, `vvtv lab …`."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client import generate_latest
from quart.typing import TestClientProtocol as HttpClient
from quart_trio import QuartTrio

from tests.accounts import signup
from tests.small_lab import open_lab
from tests.small_lab import small_settings
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.assembly.services import Services
from vvtv.cli import main as vvtv_main
from vvtv.cli import parser as vvtv_parser
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle
from vvtv.contracts.lab import NewMediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.lab.board import LabStatusBoard
from vvtv.lab.runtime import LabRuntime
from vvtv.lab.sinks import HttpStatusSink
from vvtv.runtime import Runtime
from vvtv.server import ServeOptions
from vvtv.web.routing import route_specs
from vvtv.web.routing import undeclared_routes

pytestmark = pytest.mark.req("LAB-8")

LAB_TOKEN = "lab-token-for-the-wiring-tests"
PASSWORD = "correct horse battery"


async def _admin(services: Services, client: HttpClient, runtime: Runtime) -> dict[str, str]:
    """An admin made the way the operator makes one (the shell), then signed in."""
    terms = runtime.config.limits.auth.terms_version
    await services.identity.create_account("lab-admin", PASSWORD, "admin", None, terms)
    response = await client.post("/auth/login", json={"handle": "lab-admin", "password": PASSWORD})
    assert response.status_code == 200, await response.get_data()
    tokens: dict[str, Any] = await response.get_json()
    return {"authorization": f"Bearer {tokens['access_token']}"}


@pytest.fixture
def token_app(runtime: Runtime, services: Services) -> QuartTrio:
    """The app of a server whose operator set the shared lab token."""
    return create_app(runtime, dataclasses.replace(services, lab_token=LAB_TOKEN))


@pytest.fixture
async def studio(tmp_path: Path) -> AsyncIterator[LabRuntime]:
    """A standalone agent (its own store and registry), never run: it only reports."""
    settings = msgspec.structs.replace(small_settings(tmp_path / "studio"), agent_name="studio")
    async with open_lab(settings) as lab:
        yield lab


async def test_the_app_mounts_the_channel_with_declared_access(app: QuartTrio) -> None:
    """Control and the agents' board are admin-only; the channel and its health are public."""
    assert undeclared_routes(app) == []
    declared = {(spec.method, spec.rule): spec.access for spec in route_specs(app)}
    assert declared[("GET", "/live/<path:path>")] == "public"
    assert declared[("GET", "/lab/health")] == "public"
    for route in (("POST", "/lab/stop"), ("GET", "/lab/status"), ("PUT", "/lab/policies"),
                  ("GET", "/lab/agents"), ("POST", "/lab/agents/<name>/status")):  # fmt: skip
        assert declared[route] == "admin", route


async def test_control_needs_an_admin_and_the_channel_is_public(
    client: HttpClient, services: Services, runtime: Runtime
) -> None:
    assert (await client.post("/lab/stop", json={})).status_code == 401
    # Opened, not run: nothing airs yet, and health says so without credentials.
    health = await client.get("/lab/health")
    assert health.status_code == 200
    assert (await health.get_json())["ok"] is False
    assert "broadcast down: nothing on air" in (await health.get_json())["alerts"]
    assert (await client.get("/live/master.m3u8")).status_code == 404
    assert (await client.get("/live/..%2Fkeys.ts")).status_code == 404
    admin = await _admin(services, client, runtime)
    # The audit says why; an empty PUT would reset every OwnerCard field to its default.
    assert (await client.post("/lab/stop", headers=admin)).status_code == 400
    assert (await client.put("/lab/policies", headers=admin)).status_code == 400
    stop = await client.post("/lab/stop", json={"reason": "drill"}, headers=admin)
    assert stop.status_code == 200, await stop.get_data()
    status = await client.get("/lab/status", headers=admin)
    assert (await status.get_json())["pipeline"] == "stopped"
    [entry] = await services.audit.page(None, 1)
    # Audited under the admin's user id (the server's guard), not a token digest.
    assert entry.action == "lab.stop"
    assert entry.actor_id is not None
    assert not entry.actor_id.startswith("token:")


async def test_the_in_process_agent_pushes_to_the_board(
    client: HttpClient, services: Services, runtime: Runtime
) -> None:
    """TEL-5: the callback sink records the report; admins read it, Prometheus scrapes it."""
    await services.lab.sink.push(services.lab.report())  # what each report-loop tick does
    admin = await _admin(services, client, runtime)
    agents = await (await client.get("/lab/agents", headers=admin)).get_json()
    assert [a["agent"] for a in agents["agents"]] == ["lab"]
    assert agents["agents"][0]["status"]["on_air"] == "off"
    text = runtime.metrics.render().decode()
    assert 'vvtv_lab_agent_queue_slack_seconds{agent="lab"} 0.0' in text
    assert 'vvtv_lab_agent_emergency{agent="lab"} 0.0' in text
    assert 'vvtv_lab_agent_healthy{agent="lab"} 0.0' in text


async def test_a_standalone_agents_push_reaches_the_server_with_the_lab_token(
    token_app: QuartTrio, services: Services, runtime: Runtime, studio: LabRuntime
) -> None:
    """The agent's HttpStatusSink, as `vvtv lab serve --status-url …` builds it, over HTTP."""
    url = "http://vvtv/lab/agents/studio/status"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=token_app)) as http:
        await HttpStatusSink(url, "not-the-lab-token", client=http).push(studio.report())
        assert services.lab_board.latest("studio") is None  # refused (and logged by the sink)
        await HttpStatusSink(url, LAB_TOKEN, client=http).push(studio.report())
        latest = services.lab_board.latest("studio")
        assert latest is not None
        assert latest.status.pipeline == "stopped"
        renamed = await http.post(
            "http://vvtv/lab/agents/studio-b/status",
            content=msgspec.json.encode(studio.report()),
            headers={"authorization": f"Bearer {LAB_TOKEN}", "content-type": "application/json"},
        )
        assert renamed.status_code == 200
        assert renamed.json()["agent"] == "studio-b"  # the path names the agent
    text = runtime.metrics.render().decode()
    assert 'vvtv_lab_agent_on_air{agent="studio",item=""} 0.0' in text
    assert 'vvtv_lab_agent_report_timestamp_seconds{agent="studio"}' in text


async def test_without_a_lab_token_an_admin_bearer_pushes(
    client: HttpClient, services: Services, runtime: Runtime, studio: LabRuntime
) -> None:
    body = msgspec.to_builtins(studio.report())
    anonymous = await client.post("/lab/agents/studio/status", json=body)
    assert anonymous.status_code == 401
    pushed = await client.post(
        "/lab/agents/studio/status", json=body, headers=await _admin(services, client, runtime)
    )
    assert pushed.status_code == 200, await pushed.get_data()
    assert services.lab_board.latest("studio") is not None


async def test_the_board_keeps_one_on_air_series_per_agent(studio: LabRuntime) -> None:
    registry = CollectorRegistry()
    board = LabStatusBoard(registry)
    report = studio.report()
    for item in ("a", "b"):
        status = msgspec.structs.replace(report.status, now_airing=item, on_air="reserve")
        await board.record(msgspec.structs.replace(report, status=status))
    text = generate_latest(registry).decode()
    assert 'vvtv_lab_agent_on_air{agent="studio",item="b"} 1.0' in text
    assert 'item="a"' not in text
    assert 'vvtv_lab_agent_emergency{agent="studio"} 1.0' in text


def test_vvtv_lab_routes_to_the_agents_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data", str(tmp_path / "lab")]
    assert vvtv_main(["lab", *data, "add", "https://cdn.example/x.mp4", "--duration", "42",
                      "--id", "x", "--tags", "music"]) == 0  # fmt: skip
    assert capsys.readouterr().out.strip() == "x"
    assert vvtv_main(["lab", *data, "ls", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["id"], i["duration_s"], i["tags"]) for i in items] == [("x", 42.0, ["music"])]


def test_serve_airs_the_channel_unless_told_not_to() -> None:
    """On air by default; `--no-channel` when a standalone agent airs it on a LAB machine."""
    assert vvtv_parser().parse_args(["serve"]).no_channel is False
    assert vvtv_parser().parse_args(["serve", "--no-channel"]).no_channel is True
    assert ServeOptions(host="127.0.0.1", port=0, data_dir=Path("var")).channel is True


async def test_the_runtimes_clock_dates_what_the_channel_records(
    cheap_config: ConfigBundle, tmp_path: Path
) -> None:
    """One clock: the wall clock `open_runtime` is given dates the channel's policy versions,
    audit entries and status reports, so a test that moves it moves them."""
    clock = ManualClock()
    async with open_runtime(cheap_config, tmp_path / "var", clock=clock) as (_, services):
        lab = services.lab
        assert lab.policy.snapshot(1).created_at == clock()
        clock.advance(3600)
        changed = await lab.update_policy(OwnerCard(target_lufs=-16.0), "ops")
        assert changed.created_at == clock()
        assert (await services.audit.page(None, 1))[0].at == clock()
        assert lab.report().at == clock()


@pytest.mark.req("TEL-6")
async def test_one_audit_page_shows_curator_and_moderation_decisions(
    client: HttpClient, services: Services, runtime: Runtime
) -> None:
    """The channel writes to the one audit log: a policy version, a catalog item and a ban are
    read together from `GET /admin/audit`."""
    admin = await _admin(services, client, runtime)
    policy = await client.put("/lab/policies", json={"target_lufs": -16}, headers=admin)
    assert policy.status_code == 200, await policy.get_data()
    item = {"source": "https://cdn.example/a.mp4", "duration_s": 30, "id": "a"}
    assert (await client.post("/lab/catalog", json=item, headers=admin)).status_code == 201
    user = await signup(client, "spammer")
    ban = await client.post(
        "/admin/bans", json={"user_id": user["user"]["id"], "reason": "spam"}, headers=admin
    )
    assert ban.status_code == 201
    page = await (await client.get("/admin/audit", headers=admin)).get_json()
    decisions = [(e["action"], e["target_id"]) for e in page["entries"]]
    assert decisions[:3] == [
        ("ban", user["user"]["id"]), ("lab.catalog.add", "a"), ("lab.policy.update", "2"),
    ]  # fmt: skip


async def test_the_channel_keeps_no_database_of_its_own_in_serve(
    config_bundle: ConfigBundle, tmp_path: Path
) -> None:
    """Under `vvtv serve` the channel's catalog and policies live in the one database file."""
    data = tmp_path / "var"
    async with open_runtime(config_bundle, data) as (_, services):
        await services.lab.catalog.add(NewMediaItem(source="/media/a.mp4", duration_s=5), None)
        await services.lab.update_policy(OwnerCard(target_lufs=-16.0), "ops")
    assert [path.relative_to(data) for path in data.rglob("*.sqlite3")] == [Path("vvtv.sqlite3")]


async def test_the_channels_health_checks_are_the_readiness_checks(client: HttpClient) -> None:
    """One health vocabulary: `/lab/health` lists its checks in /readyz's ReadinessCheck shape."""
    document = await (await client.get("/openapi.json")).get_json()
    schemas = document["components"]["schemas"]
    checks = schemas["LabHealth"]["properties"]["checks"]["items"]
    assert checks == schemas["Readiness"]["properties"]["checks"]["items"]
    assert "HealthCheck" not in schemas
