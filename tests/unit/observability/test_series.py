"""Declaring series (TEL-5): every combination of the labels' known values is a series at 0 from
the start, so an alert's rate over it has data at once; other labels' series come with use."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from vvtv.observability.series import Series


def samples(registry: CollectorRegistry, name: str) -> dict[tuple[str, ...], float]:
    return {
        tuple(sample.labels.values()): sample.value
        for family in registry.collect()
        for sample in family.samples
        if sample.name == name
    }


@pytest.mark.req("TEL-5")
def test_every_combination_of_known_label_values_starts_at_zero() -> None:
    registry = CollectorRegistry()
    series = Series(registry)
    series.counter("changes", "", {"cause": ("load", "pin"), "direction": ("down", "up")})
    series.gauge("alert", "", {"level": ("warn", "trip")})
    assert samples(registry, "changes_total") == {
        ("load", "down"): 0.0,
        ("load", "up"): 0.0,
        ("pin", "down"): 0.0,
        ("pin", "up"): 0.0,
    }
    assert samples(registry, "alert") == {("warn",): 0.0, ("trip",): 0.0}


@pytest.mark.req("TEL-5")
def test_labels_named_without_values_start_empty() -> None:
    registry = CollectorRegistry()
    Series(registry).counter("refusals", "", ["code"]).labels("busy").inc()
    assert samples(registry, "refusals_total") == {("busy",): 1.0}
