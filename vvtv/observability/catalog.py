"""The series catalog: the typed shape of `series.yaml` (every Prometheus series VVTV declares, by
section and attribute) and its loading, which names file, line and key path for anything wrong."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from collections.abc import Mapping
from importlib.resources import as_file
from importlib.resources import files
from pathlib import Path
from typing import Literal

import msgspec

from vvtv.config.decode import decode
from vvtv.config.load import SourceFile
from vvtv.config.load import load_source
from vvtv.config.problems import KeyPath
from vvtv.config.problems import Problem
from vvtv.config.problems import format_key_path

Kind = Literal["counter", "gauge", "histogram", "info"]
# A seed's word for "the values the class's constructor is given" (config decides them).
GIVEN = "given"
SEEDABLE: frozenset[Kind] = frozenset({"counter", "gauge"})


class Entry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One series: see the head of series.yaml for what each field means."""

    kind: Kind
    name: str
    help: str
    labels: list[str] = []
    seed: dict[str, list[str] | Literal["given"]] = {}
    buckets: list[float] | None = None


class CatalogError(Exception):
    """The catalog cannot be used; `problems` lists every one found, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid series catalog")


class Catalog:
    """The entries of each section, and where they stand in their file (for errors)."""

    __slots__ = ("sections", "source")

    def __init__(self, source: SourceFile, sections: Mapping[str, Mapping[str, Entry]]) -> None:
        self.source = source
        self.sections = sections

    def problem(self, path: KeyPath, message: str) -> Problem:
        return self.source.problem(path, message)


def load_catalog(path: Path) -> Catalog:
    """Read and check `path`; raises `CatalogError` naming every problem."""
    source = load_source(path)
    if isinstance(source, Problem):
        raise CatalogError([source])
    problems: list[Problem] = []
    sections: dict[str, dict[str, Entry]] = {}
    if not isinstance(source.data, dict):
        raise CatalogError([source.problem((), "expected a mapping of sections")])
    for section, entries in source.data.items():
        if not isinstance(entries, dict):
            problems.append(source.problem((section,), "expected a mapping of series"))
            continue
        sections[section] = {}
        for key, raw in entries.items():
            entry, found = _entry(raw)
            if entry is not None:
                sections[section][key] = entry
            problems.extend(source.problem((section, key, *p), m) for p, m in found)
    problems.extend(_unique_names(source, sections))
    if problems:
        raise CatalogError(problems)
    return Catalog(source, sections)


@functools.cache
def shipped() -> Catalog:
    """The catalog shipped with the package, read once a process."""
    with as_file(files("vvtv.observability") / "series.yaml") as path:
        return load_catalog(path)


def _entry(raw: object) -> tuple[Entry | None, list[tuple[KeyPath, str]]]:
    """`raw` as an entry, and every problem with it, each at its key path inside the entry (the
    config's decoder: it names every problem, where msgspec alone stops at the first)."""
    found: list[tuple[KeyPath, str]] = []
    entry = decode(raw, Entry, lambda path, message: found.append((path, message)))
    if entry is not None:
        found.extend(_rules(entry))
    return entry, found


def _rules(entry: Entry) -> Iterable[tuple[KeyPath, str]]:
    """What the schema alone cannot say about one entry."""
    if len(set(entry.labels)) != len(entry.labels):
        yield ("labels",), "a label is named twice"
    if entry.seed:
        if entry.kind not in SEEDABLE:
            yield ("seed",), f"a {entry.kind} is not seeded"
        # Seeding makes every combination of values, so it needs every label's.
        elif set(entry.seed) != set(entry.labels):
            yield ("seed",), f"names {sorted(entry.seed)}, not every label of {entry.labels}"
    if entry.buckets is not None:
        if entry.kind != "histogram":
            yield ("buckets",), f"a {entry.kind} has no buckets"
        elif not entry.buckets or entry.buckets != sorted(set(entry.buckets)):
            yield ("buckets",), "expected upper bounds in increasing order"


def _unique_names(source: SourceFile, sections: Mapping[str, Mapping[str, Entry]]) -> list[Problem]:
    """A series name stands once: two entries would register it twice on one registry."""
    first: dict[str, KeyPath] = {}
    problems = []
    for section, entries in sections.items():
        for key, entry in entries.items():
            path: KeyPath = (section, key, "name")
            if entry.name in first:
                where = format_key_path(first[entry.name])
                problems.append(source.problem(path, f"{entry.name} is declared by {where} too"))
            else:
                first[entry.name] = path
    return problems
