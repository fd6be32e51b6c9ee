"""`POST /telemetry/events`: only declared client events with declared, well-typed properties are
taken (a batch whole or not at all), sampled as configured, and counted."""

from __future__ import annotations

import msgspec
import pytest
from quart.typing import TestClientProtocol as HttpClient

from vvtv.config import ConfigBundle
from vvtv.contracts.telemetry import TelemetryBatch
from vvtv.contracts.telemetry import TelemetryEvent
from vvtv.errors import BadRequest
from vvtv.telemetry.ingest import accept_batch
from vvtv.telemetry.ingest import sampling_rate


async def report(client: HttpClient, *events: dict[str, object]):  # type: ignore[no-untyped-def]
    response = await client.post("/telemetry/events", json={"events": list(events)})
    return response.status_code, await response.get_json()


async def test_declared_funnel_events_are_accepted_and_counted(client: HttpClient) -> None:
    status, body = await report(
        client,
        {"name": "app_open", "properties": {"route": "/", "device_class": "mobile"}},
        {"name": "click_login", "properties": {"from_mode": "broadcast"}},
    )
    assert (status, body) == (202, {"accepted": 2, "sampled_out": 0})
    metrics = (await (await client.get("/metrics")).get_data()).decode()
    assert 'vvtv_telemetry_events_total{event="app_open",outcome="kept"} 1.0' in metrics


@pytest.mark.parametrize(
    ("event", "code", "path"),
    [
        ({"name": "no_such_event"}, "unknown_event", "$.events[0].name"),
        (
            {"name": "app_open", "properties": {"email": "a@b.c"}},
            "unknown_property",
            "$.events[0].properties.email",
        ),
        (
            {"name": "app_open", "properties": {"device_class": "tv"}},
            "invalid_property",
            "$.events[0].properties.device_class",
        ),
        (
            {"name": "view_broadcast", "properties": {"startup_ms": "fast"}},
            "invalid_property",
            "$.events[0].properties.startup_ms",
        ),
        (
            {"name": "view_broadcast", "properties": {"startup_ms": 812.5}},
            "invalid_property",
            "$.events[0].properties.startup_ms",
        ),
        (
            {"name": "view_broadcast", "properties": {"startup_ms": True}},
            "invalid_property",
            "$.events[0].properties.startup_ms",
        ),
    ],
)
async def test_undeclared_or_mistyped_events_are_refused_naming_the_field(
    client: HttpClient, event: dict[str, object], code: str, path: str
) -> None:
    """An undeclared property is how private data would leak in, so it is refused."""
    status, body = await report(client, event)
    assert status == 400
    assert (body["code"], body["path"]) == (code, path)


def test_an_integer_written_as_a_whole_float_is_the_integer(config_bundle: ConfigBundle) -> None:
    """INV-9: JSON (and the published JSON Schema) counts 812.0 as the integer 812; it is kept
    as one. Found by schemathesis (ST202: a schema-valid request refused)."""
    batch = TelemetryBatch(
        events=[TelemetryEvent(name="view_broadcast", properties={"startup_ms": 812.0})]
    )
    (kept,), _ = accept_batch(config_bundle, batch, lambda: 0.0)
    assert kept.properties == {"startup_ms": 812}
    assert type(kept.properties["startup_ms"]) is int


async def test_server_side_events_cannot_be_forged_by_clients(client: HttpClient) -> None:
    status, body = await report(client, {"name": "session_created", "properties": {}})
    assert (status, body["code"]) == (400, "unknown_event")


async def test_a_batch_is_taken_whole_or_not_at_all(client: HttpClient) -> None:
    status, _ = await report(client, {"name": "app_open"}, {"name": "nope"})
    assert status == 400
    metrics = (await (await client.get("/metrics")).get_data()).decode()
    assert 'event="app_open"' not in metrics


def test_the_batch_cap_comes_from_config(config_bundle: ConfigBundle) -> None:
    """INV-6: the cap is config's, not a literal."""
    cap = config_bundle.limits.telemetry.max_batch_events
    batch = TelemetryBatch(events=[TelemetryEvent(name="app_open")] * (cap + 1))
    with pytest.raises(BadRequest) as refused:
        accept_batch(config_bundle, batch, lambda: 0.0)
    assert refused.value.code == "batch_too_large"
    kept, _ = accept_batch(
        config_bundle, msgspec.structs.replace(batch, events=batch.events[:cap]), lambda: 0.0
    )
    assert len(kept) == cap


@pytest.mark.req("TEL-2")
def test_qos_samples_are_all_kept_since_each_call_drew_once(config_bundle: ConfigBundle) -> None:
    """The share of calls that sample is drawn by the client once per call (the incident flag's
    rate, see test_incident.py); the server keeps every sample such a call sends."""
    qos = [name for name, spec in config_bundle.telemetry.events.items() if spec.sampling == "qos"]
    assert qos, "telemetry-events.yaml declares QoS events sampled by the tier"
    assert sampling_rate(config_bundle, qos[0]) == 1.0
    sample = TelemetryEvent(name=qos[0], properties={"rtt_ms": 20.0, "fps": 30.0})
    kept, dropped = accept_batch(config_bundle, TelemetryBatch(events=[sample]), lambda: 0.99)
    assert (len(kept), dropped) == (1, [])
