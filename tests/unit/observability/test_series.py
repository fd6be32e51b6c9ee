"""Declaring series (TEL-5): a class's typed attributes become the series its catalog section
describes; every combination of the labels' known values is a series at 0 from the start, so an
alert's rate over it has data at once; other labels' series come with use. A class asking for a
series the catalog lacks, or of another kind, fails when it is constructed, naming where."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram

from vvtv.chat.metrics import ChatMetrics
from vvtv.contracts.chat import ChatScope
from vvtv.observability.catalog import Catalog
from vvtv.observability.catalog import CatalogError
from vvtv.observability.catalog import load_catalog
from vvtv.observability.series import Catalogued
from vvtv.tiles.metrics import TileMetrics

PROBE = """\
probe:
  changes:
    kind: counter
    name: changes
    help: Changes, by cause and direction.
    labels: [cause, direction]
    seed: {cause: [load, pin], direction: [down, up]}
  alert:
    kind: gauge
    name: alert
    help: Alert, by level.
    labels: [level]
    seed: {level: [warn, trip]}
  refusals:
    kind: counter
    name: refusals
    help: Refusals, by code.
    labels: [code]
  wait:
    kind: histogram
    name: wait_seconds
    help: Waits.
    buckets: [1, 5]
"""


class Probe(Catalogued, section="probe"):
    changes: Counter
    alert: Gauge
    refusals: Counter
    wait: Histogram


def catalog_of(tmp_path: Path, text: str) -> Catalog:
    path = tmp_path / "series.yaml"
    path.write_text(text, encoding="utf-8")
    return load_catalog(path)


def samples(registry: CollectorRegistry, name: str) -> dict[tuple[str, ...], float]:
    return {
        tuple(sample.labels.values()): sample.value
        for family in registry.collect()
        for sample in family.samples
        if sample.name == name
    }


@pytest.mark.req("TEL-5")
def test_every_combination_of_known_label_values_starts_at_zero(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    Probe(registry, catalog=catalog_of(tmp_path, PROBE))
    assert samples(registry, "changes_total") == {
        ("load", "down"): 0.0,
        ("load", "up"): 0.0,
        ("pin", "down"): 0.0,
        ("pin", "up"): 0.0,
    }
    assert samples(registry, "alert") == {("warn",): 0.0, ("trip",): 0.0}


@pytest.mark.req("TEL-5")
def test_labels_named_without_values_start_empty(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    probe = Probe(registry, catalog=catalog_of(tmp_path, PROBE))
    assert samples(registry, "refusals_total") == {}
    probe.refusals.labels("busy").inc()
    assert samples(registry, "refusals_total") == {("busy",): 1.0}


def test_a_histogram_has_the_buckets_of_its_entry(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    Probe(registry, catalog=catalog_of(tmp_path, PROBE))
    bounds = {labels[-1] for labels in samples(registry, "wait_seconds_bucket")}
    assert bounds == {"1.0", "5.0", "+Inf"}


@pytest.mark.req("TEL-5")
def test_the_shipped_catalog_seeds_each_scope_of_chat() -> None:
    registry = CollectorRegistry()
    ChatMetrics(registry)
    expected = {(scope,): 0.0 for scope in get_args(ChatScope)}
    assert samples(registry, "vvtv_chat_messages_total") == expected
    assert samples(registry, "vvtv_chat_refused_total") == {}


@pytest.mark.req("TEL-5")
def test_values_given_by_the_constructor_are_seeded() -> None:
    registry = CollectorRegistry()
    TileMetrics(registry, ["call", "room"])
    assert samples(registry, "vvtv_tiles_grants_total") == {("call",): 0.0, ("room",): 0.0}
    assert samples(registry, "vvtv_tiles_egress_alert") == {("warn",): 0.0, ("trip",): 0.0}


def test_a_series_the_catalog_lacks_fails_at_construction(tmp_path: Path) -> None:
    class Wider(Catalogued, section="probe"):
        changes: Counter
        missing: Gauge

    catalog = catalog_of(tmp_path, PROBE)
    with pytest.raises(CatalogError) as raised:
        Wider(CollectorRegistry(), catalog=catalog)
    [problem] = raised.value.problems
    assert (problem.file, problem.line, problem.key_path) == (
        catalog.source.display,
        1,
        "probe.missing",
    )
    assert "no such series in the catalog (" in problem.message
    assert "Wider.missing)" in problem.message


def test_a_series_of_another_kind_fails_at_construction(tmp_path: Path) -> None:
    class Mistyped(Catalogued, section="probe"):
        alert: Counter

    with pytest.raises(CatalogError) as raised:
        Mistyped(CollectorRegistry(), catalog=catalog_of(tmp_path, PROBE))
    [problem] = raised.value.problems
    assert (problem.line, problem.key_path) == (9, "probe.alert.kind")
    assert problem.message.endswith("Mistyped.alert is a counter")


def test_values_the_catalog_expects_from_the_constructor_must_be_given(tmp_path: Path) -> None:
    class Pools(Catalogued, section="pools"):
        open: Gauge

    text = "pools:\n  open:\n    kind: gauge\n    name: open\n    help: Pools.\n"
    text += "    labels: [mode]\n    seed: {mode: given}\n"
    catalog = catalog_of(tmp_path, text)
    with pytest.raises(CatalogError, match=r"pools: Pools is not given mode's values"):
        Pools(CollectorRegistry(), catalog=catalog)
    with pytest.raises(CatalogError, match=r"pools: Pools is given ecosystem, seeded by none"):
        Pools(CollectorRegistry(), {"mode": ["a"], "ecosystem": ["b"]}, catalog=catalog)
