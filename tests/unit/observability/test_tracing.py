"""Tracing's OpenTelemetry side (TEL-7): off, spans cost nothing and ids still flow; with the
OTLP exporter on, each span carries the very trace id the logs and audit entries name."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from vvtv.config.schema.limits import TracingSettings
from vvtv.observability import tracing as tracing_module
from vvtv.observability.tracing import Tracing
from vvtv.observability.tracing import current_trace_id
from vvtv.observability.tracing import parent_of

OFF = TracingSettings(exporter="none", otlp_endpoint="", service_name="vvtv")
OTLP = TracingSettings(
    exporter="otlp", otlp_endpoint="http://127.0.0.1:4318/v1/traces", service_name="vvtv"
)


def test_traceparent_is_read_as_w3c_says() -> None:
    assert parent_of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") == (
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7",
    )
    bad = (
        None,
        "",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-" + "0" * 32 + "-00f067aa0ba902b7-01",
        "00-4BF92F35-00f067aa0ba902b7-01",
    )
    for header in bad:
        assert parent_of(header) is None


@pytest.mark.req("TEL-7")
def test_off_the_id_is_set_for_the_block_only() -> None:
    tracing = Tracing(OFF)
    assert current_trace_id() is None
    with tracing.span("GET /x") as trace_id:
        assert current_trace_id() == trace_id
        assert not trace.get_current_span().is_recording()
    assert current_trace_id() is None


@pytest.mark.req("TEL-7")
def test_with_otlp_on_each_span_is_exported_under_the_logged_trace_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exported = InMemorySpanExporter()
    # The collector is replaced by memory; the SDK, the processor chain and the ids are real.
    monkeypatch.setattr(
        "opentelemetry.exporter.otlp.proto.http.trace_exporter.OTLPSpanExporter",
        lambda endpoint: exported,
    )
    monkeypatch.setattr("opentelemetry.sdk.trace.export.BatchSpanProcessor", SimpleSpanProcessor)
    tracing = Tracing(OTLP)
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with tracing.span("POST /admin/bans", parent) as joined, tracing.span("ws heartbeat") as own:
        pass
    spans = {span.name: span for span in exported.get_finished_spans()}
    assert joined == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert f"{spans['POST /admin/bans'].context.trace_id:032x}" == joined
    assert f"{spans['ws heartbeat'].context.trace_id:032x}" == own
    assert spans["POST /admin/bans"].parent.span_id == 0x00F067AA0BA902B7
    assert spans["ws heartbeat"].resource.attributes["service.name"] == "vvtv"
    assert tracing_module.TRACE_ID.get() is None
