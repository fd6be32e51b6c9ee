"""The Lab Agent's control API (LAB-8) as the standalone agent serves it: bearer token, audit,
the live files with their types, metrics that promtool accepts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio
from prometheus_client import generate_latest
from quart.typing import TestClientProtocol as HttpClient

from tests.small_lab import lab_limits
from tests.small_lab import open_lab
from tests.small_lab import small_settings
from vvtv.lab.auth import NoToken
from vvtv.lab.auth import load_token
from vvtv.lab.runtime import LabRuntime
from vvtv.lab.standalone import create_app
from vvtv.observability.audit import StoredAudit

TOKEN = "s3cret-token-for-tests-only"
BEARER = {"authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[LabRuntime]:
    async with open_lab(small_settings(tmp_path)) as runtime:
        yield runtime


async def audited(lab: LabRuntime) -> list[StoredAudit]:
    """The agent's audit entries, newest first."""
    return await lab.audit.page(None, 50)


@pytest.fixture
def client(lab: LabRuntime) -> HttpClient:
    return create_app(lab, TOKEN, lab.metrics.registry).test_client()


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/lab/start"), ("POST", "/lab/stop"), ("POST", "/lab/policies/reload"),
     ("POST", "/lab/playlist/rotate"), ("GET", "/lab/status"), ("GET", "/lab/catalog"),
     ("GET", "/lab/policies")],
)  # fmt: skip
async def test_control_needs_the_token(
    client: HttpClient, lab: LabRuntime, method: str, path: str
) -> None:
    """LAB-8: no token → 401, a wrong token → 403, as problem JSON; both refusals audited."""
    anonymous = await client.open(path, method=method, json={})
    assert anonymous.status_code == 401
    assert anonymous.content_type == "application/problem+json"
    assert (await anonymous.get_json())["code"] == "unauthenticated"
    wrong = await client.open(
        path, method=method, json={}, headers={"authorization": "Bearer not-the-token"}
    )
    assert wrong.status_code == 403
    assert (await wrong.get_json())["code"] == "bad_token"
    refusals = [(e.action, e.target_id, e.detail["status"]) for e in (await audited(lab))[:2]]
    assert refusals == [("lab.refused", f"{method} {path}", status) for status in (403, 401)]


async def test_each_command_is_audited_with_who_what_and_result(
    client: HttpClient, lab: LabRuntime
) -> None:
    """LAB-8: start, stop, reload policies, rotate playlist: each answers and is audited."""
    for path in ("/lab/stop", "/lab/policies/reload", "/lab/playlist/rotate", "/lab/start"):
        response = await client.post(path, json={"reason": "drill"}, headers=BEARER)
        assert response.status_code == 200, await response.get_data()
        body = await response.get_json()
        assert body["status"]["pipeline"] == "stopped"
    entries = await audited(lab)
    assert [e.action for e in entries[:4]] == [
        "lab.start", "lab.rotate_playlist", "lab.reload_policies", "lab.stop",
    ]  # fmt: skip
    assert entries[0].detail["result"] == "refused"  # start before the agent runs
    actors = [e.actor_id or "" for e in entries[:4]]
    assert all(actor.startswith("token:") and TOKEN not in actor for actor in actors)
    assert all(e.reason == "drill" for e in entries[:4])


async def test_catalog_and_policy_through_the_api(client: HttpClient, lab: LabRuntime) -> None:
    """POL-1: a PUT makes a new version; POL-2: versions are readable; the catalog grows."""
    added = await client.post(
        "/lab/catalog",
        json={"source": "https://cdn.example/a.mp4", "duration_s": 30, "tags": ["music"]},
        headers=BEARER,
    )
    assert added.status_code == 201
    listed = await (await client.get("/lab/catalog", headers=BEARER)).get_json()
    assert [item["source"] for item in listed["items"]] == ["https://cdn.example/a.mp4"]
    put = await client.put("/lab/policies", json={"target_lufs": -16}, headers=BEARER)
    assert (await put.get_json())["version"] == 2
    first = await (await client.get("/lab/policies/1", headers=BEARER)).get_json()
    assert first["card"]["target_lufs"] == -23
    bad = await client.put("/lab/policies", json={"ladder": ["nope"]}, headers=BEARER)
    assert bad.status_code == 400


async def test_live_files_are_public_typed_and_confined(
    client: HttpClient, lab: LabRuntime
) -> None:
    """LAB-5: /live/ serves playlists and segments with HLS types; nothing outside live/."""
    live = lab.paths.live
    (live / "media" / "x").mkdir(parents=True)
    (live / "master.m3u8").write_text("#EXTM3U\n")
    (live / "media" / "x" / "seg_00000.ts").write_bytes(b"\x47" * 188)
    (live / "media" / "x" / "part.m4s").write_bytes(b"\0")
    (lab.paths.root / "secret.ts").write_bytes(b"no")
    for path, content_type in [
        ("/live/master.m3u8", "application/vnd.apple.mpegurl"),
        ("/live/media/x/seg_00000.ts", "video/mp2t"),
        ("/live/media/x/part.m4s", "video/iso.segment"),
    ]:
        response = await client.get(path)
        assert response.status_code == 200
        assert response.content_type == content_type
    for path in ("/live/../secret.ts", "/live/%2e%2e/secret.ts", "/live/media/../../secret.ts",
                 "/live/../../vvtv.sqlite3", "/live/missing.m3u8"):  # fmt: skip
        assert (await client.get(path)).status_code == 404, path


async def test_health_is_public(client: HttpClient) -> None:
    """LAB-7: health answers without a token; nothing airs yet, so not ok, with an alert."""
    response = await client.get("/lab/health")
    assert response.status_code == 200
    body = await response.get_json()
    assert body["ok"] is False
    assert "broadcast down: nothing on air" in body["alerts"]


async def test_metrics_pass_promtool(client: HttpClient, lab: LabRuntime) -> None:
    """TEL-5: the agent's metrics are valid Prometheus text with vvtv_lab_ names."""
    lab.metrics.rejected.labels("corrupt").inc()
    lab.metrics.queue_slack.set(12)
    text = generate_latest(lab.metrics.registry)
    assert b"vvtv_lab_rejected_items_total" in text
    served = await client.get("/metrics")
    assert served.status_code == 200
    checked = await trio.run_process(
        ["promtool", "check", "metrics"],
        stdin=text,
        capture_stdout=True,
        capture_stderr=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_token_comes_from_the_named_variable_or_file(tmp_path: Path) -> None:
    """LAB-8: never a literal: the env var the config names, else the file it names."""
    limits = lab_limits(control_token_env="LAB_T", control_token_file=str(tmp_path / "token"))
    assert load_token(limits, {"LAB_T": TOKEN}) == TOKEN
    (tmp_path / "token").write_text(TOKEN + "\n")
    assert load_token(limits, {}) == TOKEN
    with pytest.raises(NoToken):
        load_token(lab_limits(control_token_file=""), {})
