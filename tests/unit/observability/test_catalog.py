"""The series catalog (series.yaml): each entry is one class attribute's series and each such
attribute has its entry; a malformed catalog names file, line and key path of every problem."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections import Counter as Tally
from pathlib import Path

import pytest

import vvtv
from vvtv.observability.catalog import CatalogError
from vvtv.observability.catalog import load_catalog
from vvtv.observability.catalog import shipped
from vvtv.observability.series import Catalogued
from vvtv.observability.series import attributes

GOOD = """\
chat:
  messages:
    kind: counter
    name: vvtv_chat_messages
    help: Chat messages sent, by scope.
    labels: [scope]
    seed: {scope: [room, live_public]}
"""


def catalogued_classes() -> list[type[Catalogued]]:
    """Every product class declaring series: the modules naming the base are imported, so a new
    one is found without a list to keep."""
    for module in pkgutil.walk_packages(vvtv.__path__, "vvtv."):
        spec = importlib.util.find_spec(module.name)
        origin = spec.origin if spec is not None else None
        if origin and origin.endswith(".py") and "(Catalogued, " in Path(origin).read_text():
            importlib.import_module(module.name)
    found: list[type[Catalogued]] = []
    pending = list(Catalogued.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("vvtv."):
            found.append(cls)
    return found


def test_every_entry_is_one_class_attribute_and_every_attribute_has_one() -> None:
    declared = Tally(
        (cls.section, attribute) for cls in catalogued_classes() for attribute in attributes(cls)
    )
    assert [key for key, uses in declared.items() if uses > 1] == []
    entries = {(section, key) for section, entries in shipped().sections.items() for key in entries}
    assert sorted(entries - set(declared)) == [], "entries no class declares"
    assert sorted(set(declared) - entries) == [], "attributes without an entry"


def test_each_attribute_is_of_its_entry_kind() -> None:
    sections = shipped().sections
    for cls in catalogued_classes():
        for attribute, kind in attributes(cls).items():
            assert sections[cls.section][attribute].kind == kind, f"{cls.__name__}.{attribute}"


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "series.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_catalog(path)
    return [f"{p.line}: {p.key_path}: {p.message}" for p in raised.value.problems]


def test_a_good_catalog_loads(tmp_path: Path) -> None:
    path = tmp_path / "series.yaml"
    path.write_text(GOOD, encoding="utf-8")
    entry = load_catalog(path).sections["chat"]["messages"]
    assert (entry.kind, entry.labels, entry.seed) == (
        "counter",
        ["scope"],
        {"scope": ["room", "live_public"]},
    )


def test_an_unknown_kind_names_its_line_and_key_path(tmp_path: Path) -> None:
    text = GOOD.replace("kind: counter", "kind: countre")
    assert problems_of(tmp_path, text) == ["3: chat.messages.kind: Invalid enum value 'countre'"]


def test_a_malformed_entry_names_file_line_and_key_path(tmp_path: Path) -> None:
    path = tmp_path / "series.yaml"
    path.write_text(GOOD.replace("labels: [scope]", "labels: scope"), encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_catalog(path)
    assert str(raised.value) == (f"{path}:6: chat.messages.labels: expected a list, got `str`")


def test_a_missing_field_names_its_entry(tmp_path: Path) -> None:
    text = GOOD.replace("    help: Chat messages sent, by scope.\n", "")
    assert problems_of(tmp_path, text) == ["2: chat.messages.help: missing required key"]


def test_an_unknown_field_names_its_line(tmp_path: Path) -> None:
    text = GOOD + "    unit: messages\n"
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith("8: chat.messages.unit: unknown key; expected one of: kind, name,")


def test_a_seed_must_name_every_label(tmp_path: Path) -> None:
    text = GOOD.replace("labels: [scope]", "labels: [scope, code]")
    assert problems_of(tmp_path, text) == [
        "7: chat.messages.seed: names ['scope'], not every label of ['scope', 'code']"
    ]


def test_only_a_histogram_has_buckets_and_in_order(tmp_path: Path) -> None:
    wait = "  wait:\n    kind: histogram\n    name: wait\n    help: Waits.\n    buckets: [5, 1]\n"
    text = GOOD + "    buckets: [1, 5]\n" + wait
    assert problems_of(tmp_path, text) == [
        "8: chat.messages.buckets: a counter has no buckets",
        "13: chat.wait.buckets: expected upper bounds in increasing order",
    ]


def test_a_name_is_declared_once(tmp_path: Path) -> None:
    text = GOOD + GOOD.replace("chat:\n  messages:", "  sent:")
    assert problems_of(tmp_path, text) == [
        "10: chat.sent.name: vvtv_chat_messages is declared by chat.messages.name too"
    ]


def test_a_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("labels: [scope]", "labels: [scope")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith("7: (yaml): YAML syntax error")
