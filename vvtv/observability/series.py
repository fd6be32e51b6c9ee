"""Declaring a context's Prometheus series on the registry it is given (no module-level globals):
one call a series, with its name, its help and its labels (with their values, where known)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# A series' label names; or each label's known values, whose series then exist from the start.
Labels = Sequence[str] | Mapping[str, Sequence[str]]
Labelled = TypeVar("Labelled", Counter, Gauge)


def _seeded(series: Labelled, labels: Labels) -> Labelled:
    """Makes a child at 0 for every combination of the labels' known values, so a rate or an
    alert over a value has data before that value's first event."""
    if isinstance(labels, Mapping):
        for values in itertools.product(*labels.values()):
            series.labels(*values)
    return series


class Series:
    """The registry a context's series go on. prometheus-client appends `_total` to counters when
    it renders them."""

    __slots__ = ("registry",)

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def counter(self, name: str, documentation: str, labels: Labels = ()) -> Counter:
        return _seeded(Counter(name, documentation, list(labels), registry=self.registry), labels)

    def gauge(self, name: str, documentation: str, labels: Labels = ()) -> Gauge:
        return _seeded(Gauge(name, documentation, list(labels), registry=self.registry), labels)

    def histogram(
        self,
        name: str,
        documentation: str,
        labels: Sequence[str] = (),
        *,
        buckets: Sequence[float] = Histogram.DEFAULT_BUCKETS,
    ) -> Histogram:
        return Histogram(name, documentation, labels, buckets=buckets, registry=self.registry)
