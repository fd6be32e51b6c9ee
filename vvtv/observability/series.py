"""`Catalogued`, the base of every class holding Prometheus series: a subclass names its section
of the series catalog (`series.yaml`) and declares its series as typed attributes; constructing it
makes each on the registry it is given (no module-level globals), as its catalog entry says."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from collections.abc import Sequence
from typing import ClassVar
from typing import TypeVar
from typing import get_type_hints

from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import Info

from vvtv.observability.catalog import GIVEN
from vvtv.observability.catalog import Catalog
from vvtv.observability.catalog import CatalogError
from vvtv.observability.catalog import Entry
from vvtv.observability.catalog import Kind
from vvtv.observability.catalog import shipped

AnySeries = Counter | Gauge | Histogram | Info
KINDS: dict[type[AnySeries], Kind] = {
    Counter: "counter",
    Gauge: "gauge",
    Histogram: "histogram",
    Info: "info",
}
Labelled = TypeVar("Labelled", Counter, Gauge)


class Catalogued:
    """Subclass as `class ChatMetrics(Catalogued, section="chat")` with attributes such as
    `messages: Counter`; each is the series of entry `chat.messages`. A missing or mismatched
    entry raises `CatalogError` when the class is constructed, at startup, not at first use.

    `given` holds the values of labels the catalog seeds with `given` (known only from config);
    `registry` stays, for whoever renders or reads the series."""

    section: ClassVar[str]

    def __init_subclass__(cls, *, section: str, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.section = section

    def __init__(
        self,
        registry: CollectorRegistry,
        given: Mapping[str, Sequence[str]] | None = None,
        *,
        catalog: Catalog | None = None,
    ) -> None:
        self.registry = registry
        given = given or {}
        entries = _entries(type(self), shipped() if catalog is None else catalog, given)
        for attribute, entry in entries.items():
            setattr(self, attribute, _make(entry, registry, given))


def attributes(cls: type[Catalogued]) -> dict[str, Kind]:
    """The series `cls` declares, by attribute, in declaration order (the scrape's order)."""
    hints = get_type_hints(cls)
    return {name: KINDS[hint] for name, hint in hints.items() if hint in KINDS}


def _entries(
    cls: type[Catalogued], source: Catalog, given: Mapping[str, Sequence[str]]
) -> dict[str, Entry]:
    """`cls`'s entries, each checked against its attribute; every problem at once."""
    section = source.sections.get(cls.section, {})
    problems = []
    found: dict[str, Entry] = {}
    for attribute, kind in attributes(cls).items():
        path = (cls.section, attribute)
        entry = section.get(attribute)
        where = f"{cls.__name__}.{attribute}"
        if entry is None:
            problems.append(source.problem(path, f"no such series in the catalog ({where})"))
        elif entry.kind != kind:
            problems.append(source.problem((*path, "kind"), f"{where} is a {kind}"))
        else:
            found[attribute] = entry
    seeded = {label for entry in found.values() for label, v in entry.seed.items() if v == GIVEN}
    name = cls.__name__
    for label in sorted(seeded - set(given)):
        problems.append(source.problem((cls.section,), f"{name} is not given {label}'s values"))
    for label in sorted(set(given) - seeded):
        problems.append(source.problem((cls.section,), f"{name} is given {label}, seeded by none"))
    if problems:
        raise CatalogError(problems)
    return found


def _make(
    entry: Entry, registry: CollectorRegistry, given: Mapping[str, Sequence[str]]
) -> AnySeries:
    labels = entry.labels
    match entry.kind:
        case "counter":
            return _seeded(Counter(entry.name, entry.help, labels, registry=registry), entry, given)
        case "gauge":
            return _seeded(Gauge(entry.name, entry.help, labels, registry=registry), entry, given)
        case "histogram":
            buckets = Histogram.DEFAULT_BUCKETS if entry.buckets is None else entry.buckets
            return Histogram(entry.name, entry.help, labels, registry=registry, buckets=buckets)
        case "info":
            return Info(entry.name, entry.help, labels, registry=registry)


def _seeded(series: Labelled, entry: Entry, given: Mapping[str, Sequence[str]]) -> Labelled:
    """Makes a child at 0 for every combination of the labels' known values, so a rate or an
    alert over a value has data before that value's first event."""
    if entry.seed:
        known = [given[label] if (v := entry.seed[label]) == GIVEN else v for label in entry.labels]
        for values in itertools.product(*known):
            series.labels(*values)
    return series
