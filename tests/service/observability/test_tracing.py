"""TEL-7: a trace id per request (joining the caller's `traceparent` trace), in its response,
its log lines and its audit entries, including those an actor writes on its behalf; one per
socket message too."""

from __future__ import annotations

import logging
import re

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.assembly.services import Services
from vvtv.contracts.events import Heartbeat
from vvtv.contracts.events import HeartbeatAckEvent
from vvtv.contracts.events import ServerEvent
from vvtv.domain.accounts import Principal
from vvtv.observability.tracing import current_trace_id

HEX32 = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.req("TEL-7")
async def test_each_request_has_its_own_trace_or_joins_the_caller_s(client: HttpClient) -> None:
    first = (await client.get("/healthz")).headers["X-Trace-Id"]
    second = (await client.get("/healthz")).headers["X-Trace-Id"]
    assert HEX32.match(first)
    assert first != second
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    joined = await client.get("/healthz", headers={"traceparent": parent})
    assert joined.headers["X-Trace-Id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    malformed = await client.get("/healthz", headers={"traceparent": "00-" + "0" * 32 + "-x-01"})
    assert HEX32.match(malformed.headers["X-Trace-Id"])


@pytest.mark.req("TEL-7", "TEL-6")
async def test_one_request_s_trace_id_is_in_its_log_line_and_its_audit_entry(
    client: HttpClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await staff(services, client, "root", "admin")
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/admin/kill-switch", json={"level": 1, "reason": "drill"}, headers=bearer(admin)
        )
    assert response.status_code == 200
    trace_id = response.headers["X-Trace-Id"]
    lines = [r for r in caplog.records if r.getMessage().startswith("kill switch: level 0 -> 1")]
    assert [line.trace_id for line in lines] == [trace_id]  # type: ignore[attr-defined]
    audit = await (await client.get("/admin/audit", headers=bearer(admin))).get_json()
    entry = next(e for e in audit["entries"] if e["action"] == "kill_switch.step")
    assert entry["trace_id"] == trace_id


@pytest.mark.req("TEL-7")
async def test_an_audit_entry_an_actor_writes_names_the_request_that_asked(
    client: HttpClient, services: Services
) -> None:
    """The account's actor decides and writes the ban and the lifting of it, in a task of its
    own that the first request spawned: the second entry still names the second request."""
    admin = await staff(services, client, "root", "admin")
    tokens = await signup(client, "victim")
    victim = (await (await client.get("/me", headers=bearer(tokens))).get_json())["id"]
    banned = await client.post(
        "/admin/bans", json={"user_id": victim, "reason": "spam"}, headers=bearer(admin)
    )
    assert banned.status_code == 201, await banned.get_data()
    lifted = await client.delete(f"/admin/bans/{victim}?reason=appeal", headers=bearer(admin))
    assert lifted.status_code == 200, await lifted.get_data()
    audit = await (await client.get("/admin/audit", headers=bearer(admin))).get_json()
    traces = {e["action"]: e["trace_id"] for e in audit["entries"] if e["target_id"] == victim}
    assert traces == {
        "ban": banned.headers["X-Trace-Id"],
        "unban": lifted.headers["X-Trace-Id"],
    }


@pytest.mark.req("TEL-7")
async def test_each_socket_message_runs_under_a_trace_of_its_own(
    client: HttpClient, services: Services
) -> None:
    seen: list[str | None] = []

    async def heartbeat(principal: Principal, message: Heartbeat) -> ServerEvent:
        seen.append(current_trace_id())
        return HeartbeatAckEvent(session_id=None, expires_in_s=1.0)

    services.sockets.handle({Heartbeat: heartbeat})
    tokens = await signup(client, "talker")
    async with client.websocket("/ws") as socket:
        await socket.send_json({"type": "auth", "access_token": tokens["access_token"]})
        assert (await socket.receive_json())["type"] == "auth.ok"
        for _ in range(2):
            await socket.send_json({"type": "heartbeat"})
            assert (await socket.receive_json())["type"] == "heartbeat.ack"
    assert len(seen) == 2
    assert all(trace and HEX32.match(trace) for trace in seen)
    assert seen[0] != seen[1]
