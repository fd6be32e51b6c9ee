"""The funnel (TEL-1): each chain of telemetry-events.yaml, its steps counted in order."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence

from vvtv.contracts.telemetry import FunnelChain
from vvtv.contracts.telemetry import FunnelReport
from vvtv.contracts.telemetry import FunnelStep
from vvtv.observability.events import EventCounts


def funnel_report(counts: EventCounts, chains: Mapping[str, Sequence[str]]) -> FunnelReport:
    def chain(name: str, events: Sequence[str]) -> FunnelChain:
        steps = [FunnelStep(event=event, count=n) for event, n in counts.of(events)]
        return FunnelChain(name=name, steps=steps)

    return FunnelReport(chains=[chain(name, events) for name, events in chains.items()])
