"""TEL-1/TEL-3: the server's own telemetry events are emitted only as declared: an undeclared
event, a client-only one or a property its declaration does not allow is refused (a bug of ours,
not data to send), and each emitted event is counted and logged."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import CollectorRegistry

from vvtv.config import ConfigBundle
from vvtv.observability.events import ServerEvents


@pytest.mark.req("TEL-1", "TEL-3")
def test_declared_events_are_logged_and_counted_and_nothing_else_is_sent(
    config_bundle: ConfigBundle, caplog: pytest.LogCaptureFixture
) -> None:
    registry = CollectorRegistry()
    events = ServerEvents(config_bundle.telemetry.events, registry)
    with caplog.at_level(logging.INFO, logger="vvtv.telemetry"):
        events.emit("match_found", segment="open:en", wait_ms=12)
    [record] = caplog.records
    assert record.event == "match_found"  # type: ignore[attr-defined]
    assert record.properties == {"segment": "open:en", "wait_ms": 12}  # type: ignore[attr-defined]
    assert registry.get_sample_value("vvtv_server_events_total", {"event": "match_found"}) == 1
    for name, properties in (
        ("no_such_event", {}),
        ("app_open", {"route": "/"}),  # the client's to report
        ("match_found", {"segment": "open:en", "peer": "bob"}),  # undeclared: how data leaks
        ("match_found", {"wait_ms": "soon"}),
        ("match_blocked", {"reason": "bored"}),  # not one of the enum's values
        ("match_join", {"quarantined": 1}),
    ):
        with pytest.raises(ValueError, match=name):
            events.emit(name, **properties)
    assert registry.get_sample_value("vvtv_server_events_total", {"event": "match_found"}) == 1
