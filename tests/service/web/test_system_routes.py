"""The operational routes, in process: liveness, readiness, metrics, and errors as problem JSON."""

from __future__ import annotations

import pytest
from quart.typing import TestClientProtocol as HttpClient

from vvtv.runtime import Runtime


async def test_healthz_answers_ok(client: HttpClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert await response.get_json() == {"status": "ok"}


async def test_readyz_lists_every_check_and_turns_503_when_draining(
    client: HttpClient, runtime: Runtime
) -> None:
    response = await client.get("/readyz")
    body = await response.get_json()
    assert response.status_code == 200
    assert body["ready"] is True
    names = {c["name"] for c in body["checks"]}
    assert names == {"config", "data_dir", "store", "supervisor", "accepting"}
    assert body["config_version"] == runtime.config.version

    runtime.draining = True
    response = await client.get("/readyz")
    body = await response.get_json()
    assert response.status_code == 503
    assert body["ready"] is False
    assert [c["name"] for c in body["checks"] if not c["ok"]] == ["accepting"]


async def test_readyz_fails_when_the_data_folder_is_gone(
    client: HttpClient, runtime: Runtime
) -> None:
    runtime.data_dir = runtime.data_dir / "missing"
    response = await client.get("/readyz")
    assert response.status_code == 503
    failed = [c["name"] for c in (await response.get_json())["checks"] if not c["ok"]]
    assert failed == ["data_dir"]


async def test_metrics_count_requests_by_route_template(client: HttpClient) -> None:
    await client.get("/healthz")
    await client.get("/nope")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    text = (await response.get_data()).decode()
    assert 'vvtv_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert 'vvtv_http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert "vvtv_config_info" in text or "process_cpu_seconds_total" in text


@pytest.mark.req("CON-1")
async def test_unknown_route_and_method_answer_problem_json(client: HttpClient) -> None:
    """Errors that never reach a handler still come back as problem JSON."""
    response = await client.get("/no/such/route")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert await response.get_json() == {
        "status": 404,
        "code": "not_found",
        "message": "The requested URL was not found on the server. If you entered the URL manually"
        " please check your spelling and try again.",
        "path": None,
        "retry_after_s": None,
        "trace_id": None,
    }
    response = await client.post("/healthz")
    assert response.status_code == 405
    assert (await response.get_json())["code"] == "method_not_allowed"
