"""TEL-3 in the whole product: a trace (TEL-7's spans, exported as OpenTelemetry would send them to
a collector) names what ran, never what a person wrote; and telemetry ingestion refuses a client
event carrying a message body or a precise location, keeping none of it anywhere."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.service.chat.conftest import chat_events
from tests.service.chat.conftest import open_thread
from tests.service.chat.conftest import open_world
from tests.service.chat.conftest import post
from tests.service.presence.conftest import World
from vvtv.config import ConfigBundle

SECRET = "zebra-secret-body-5521"
LATITUDE, LONGITUDE = 38.736946, -9.142685  # a precise place: six decimals is about 10 cm


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    """The OTLP exporter replaced by memory; the SDK, its processor chain and the ids are real."""
    exported = InMemorySpanExporter()
    monkeypatch.setattr(
        "opentelemetry.exporter.otlp.proto.http.trace_exporter.OTLPSpanExporter",
        lambda endpoint: exported,
    )
    monkeypatch.setattr("opentelemetry.sdk.trace.export.BatchSpanProcessor", SimpleSpanProcessor)
    return exported


@pytest.fixture
async def traced(
    cheap_config: ConfigBundle, tmp_path: Path, spans: InMemorySpanExporter
) -> AsyncIterator[World]:
    """The product with spans exported (`observability.tracing.exporter: otlp`)."""
    observability = cheap_config.limits.observability
    tracing = replace(
        observability.tracing, exporter="otlp", otlp_endpoint="http://127.0.0.1:4318/v1/traces"
    )
    limits = replace(cheap_config.limits, observability=replace(observability, tracing=tracing))
    async with open_world(replace(cheap_config, limits=limits), tmp_path / "var") as world:
        yield world


@pytest.mark.req("TEL-3", "TEL-7")
async def test_a_trace_never_carries_a_message_body(
    traced: World, spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    people = await traced.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    _, thread = await open_thread(traced, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    with caplog.at_level(logging.DEBUG):
        response = await traced.client.post(
            f"/chat/{tid}/messages", json={"body": SECRET}, headers=ana.headers
        )
        assert response.status_code == 200
        http_trace = response.headers["X-Trace-Id"]
        async with traced.tab(bob) as tab:
            await tab.send("chat.send", thread_id=tid, body=f"{SECRET} again", client_id="c1")
            assert len(await chat_events(tab)) >= 1
        assert (await post(traced, bob, tid, f"{SECRET} by http"))[0] == 200
    finished = spans.get_finished_spans()
    names = {span.name for span in finished}
    # The message went through traced spans (so the check is not vacuous), named by route.
    assert "POST /chat/<hexid:thread_id>/messages" in names
    assert "ws chat.send" in names
    assert http_trace in {f"{span.context.trace_id:032x}" for span in finished}
    for span in finished:
        assert SECRET not in span.to_json(), span.name  # all a collector would receive of it
    # And the log lines under those traces name the trace, never the message.
    traced_lines = [r for r in caplog.records if getattr(r, "trace_id", "-") != "-"]
    assert traced_lines
    assert SECRET not in caplog.text
    assert all(SECRET not in repr(r.__dict__) for r in caplog.records)


@pytest.mark.parametrize(
    ("properties", "code"),
    [
        ({"body": SECRET}, "unknown_property"),
        ({"message": SECRET}, "unknown_property"),
        ({"text": SECRET}, "unknown_property"),
        ({"latitude": LATITUDE, "longitude": LONGITUDE}, "unknown_property"),
        ({"location": f"{LATITUDE},{LONGITUDE}"}, "unknown_property"),
        # A property's value is a scalar on the wire: an object is refused before any check.
        ({"geo": {"lat": LATITUDE, "lon": LONGITUDE}}, "invalid_field"),
    ],
)
@pytest.mark.req("TEL-3")
async def test_telemetry_refuses_a_message_body_or_a_precise_location_and_keeps_none_of_it(
    traced: World, caplog: pytest.LogCaptureFixture, properties: dict[str, Any], code: str
) -> None:
    event = {"name": "app_open", "properties": {"route": "/", **properties}}
    with caplog.at_level(logging.DEBUG):
        response = await traced.client.post("/telemetry/events", json={"events": [event]})
    body = await response.get_json()
    assert response.status_code == 400
    assert body["code"] == code
    assert body["path"].startswith("$.events[0].properties"), body
    values = [SECRET, str(LATITUDE), str(LONGITUDE)]
    reply = json.dumps(body)
    metrics = await (await traced.client.get("/metrics")).get_data(as_text=True)
    for value in values:
        assert value not in reply  # the refusal names the property, never its value
        assert value not in caplog.text
        assert value not in metrics
    assert 'vvtv_telemetry_events_total{event="app_open"' not in metrics  # none of it kept
