"""Tracing (TEL-7): one trace id per HTTP request and per socket message, in a context variable
that the actor kernel carries into the actor handling each message, so every log line (a record
attribute, `%(trace_id)s`) and every audit entry made on its behalf names it.

OpenTelemetry is the interface to the outside: a request whose `traceparent` names a trace joins
it, and with `observability.tracing.exporter: otlp` each request and message is a span sent to a
collector (OTLP over HTTP). Off by default: the ids still reach logs and audit entries.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan
from opentelemetry.trace import SpanContext
from opentelemetry.trace import TraceFlags

from vvtv.config.schema.limits import TracingSettings

TRACE_ID: ContextVar[str | None] = ContextVar("vvtv_trace_id", default=None)
TRACEPARENT = "traceparent"
TRACE_ID_HEADER = "X-Trace-Id"
# W3C Trace Context: version-traceid-parentid-flags, all lower-case hex, ids not all zero.
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_NO_TRACE = "-"


def current_trace_id() -> str | None:
    return TRACE_ID.get()


def new_trace_id() -> str:
    return secrets.token_hex(16)


def parent_of(traceparent: str | None) -> tuple[str, str] | None:
    """(trace id, parent span id) from a W3C `traceparent` header, or None if it is not one."""
    match = _TRACEPARENT.match(traceparent or "")
    if match is None or set(match[1]) == {"0"} or set(match[2]) == {"0"}:
        return None
    return match[1], match[2]


class Tracing:
    """Spans through the OpenTelemetry API: a no-op tracer unless config names an exporter."""

    def __init__(self, settings: TracingSettings) -> None:
        # Whatever formats or captures the process's logs can name the trace from now on.
        install_log_trace_ids()
        self._provider: Any = None
        if settings.exporter == "otlp":
            # Imported only here: the SDK and exporter cost nothing while tracing is off.
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            provider = TracerProvider(
                resource=Resource.create({"service.name": settings.service_name})
            )
            provider.add_span_processor(
                BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
            )
            self._provider = provider
            self._tracer: trace.Tracer = provider.get_tracer("vvtv")
        else:
            self._tracer = trace.NoOpTracer()

    @contextmanager
    def span(self, name: str, traceparent: str | None = None) -> Iterator[str]:
        """Run the block under a trace id (the caller's `traceparent` trace, else a new one),
        as a span when an exporter is on; yields the trace id."""
        parent = parent_of(traceparent)
        trace_id = parent[0] if parent else new_trace_id()
        token = TRACE_ID.set(trace_id)
        try:
            if self._provider is None:
                yield trace_id
                return
            # The span joins the trace by id, so the collector sees the id our logs carry.
            remote = SpanContext(
                trace_id=int(trace_id, 16),
                span_id=int(parent[1], 16) if parent else int(secrets.token_hex(8), 16),
                is_remote=True,
                trace_flags=TraceFlags(TraceFlags.SAMPLED),
            )
            context = trace.set_span_in_context(NonRecordingSpan(remote))
            with self._tracer.start_as_current_span(name, context=context):
                yield trace_id
        finally:
            TRACE_ID.reset(token)


def install_log_trace_ids() -> None:
    """Give every log record a `trace_id` attribute (`-` outside a trace), for formats and
    handlers alike; idempotent."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "vvtv_trace_ids", False):
        return

    def record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        made = factory(*args, **kwargs)
        made.trace_id = TRACE_ID.get() or _NO_TRACE
        return made

    record.vvtv_trace_ids = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(record)
