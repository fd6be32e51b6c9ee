"""Fixtures for the config tests: a private copy of `config/`, and broken variants of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from vvtv.config import ConfigError
from vvtv.config import Problem
from vvtv.config import build_runtime_config

REPO = Path(__file__).resolve().parents[3]
SHIPPED_CONFIG = REPO / "config"
BROKEN_VARIANTS = Path(__file__).resolve().parent / "broken_variants"


@dataclass(frozen=True)
class Expected:
    file: str
    line: int
    key_path: str
    message: str


def _line_of(text: str, find: str, after: str | None) -> int:
    """1-based line where `find` first starts at or after the first line containing `after`."""
    start = 0
    if after is not None:
        start = text.index(after)
        start = text.rfind("\n", 0, start) + 1
    offset = text.index(find, start)
    return text.count("\n", 0, offset) + 1


def _apply(config_dir: Path, case: str) -> list[Expected]:
    spec: dict[str, Any] = YAML(typ="safe").load(BROKEN_VARIANTS / case / "patch.yaml")
    first = spec["edits"][0]
    for edit in spec["edits"]:
        path = config_dir / edit["file"]
        text = path.read_text()
        start = 0
        if edit.get("after") is not None:
            start = text.index(edit["after"])
        offset = text.index(edit["find"], start)
        text = text[:offset] + edit["replace"] + text[offset + len(edit["find"]) :]
        path.write_text(text)
    expected = []
    for item in spec["expect"]:
        file = item.get("file", first["file"])
        text = (config_dir / file).read_text()
        at = item.get("line_at", {"after": first.get("after"), "find": first["replace"] or "\n"})
        line = _line_of(text, at["find"], at.get("after"))
        expected.append(Expected(f"config/{file}", line, item["key_path"], item["message"]))
    return expected


@pytest.fixture
def config_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the shipped config as `config/`, relative to a temporary cwd."""
    shutil.copytree(SHIPPED_CONFIG, tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    return Path("config")


@pytest.fixture
def assert_broken(config_copy: Path) -> Callable[[str], list[Problem]]:
    """Apply the named variant and assert it fails with exactly the expected problems."""

    def check(case: str) -> list[Problem]:
        expected = _apply(config_copy, case)
        with pytest.raises(ConfigError) as caught:
            build_runtime_config(config_copy)
        problems = caught.value.problems
        rendered = "\n".join(str(p) for p in problems)
        assert {(p.file, p.key_path) for p in problems} == {
            (e.file, e.key_path) for e in expected
        }, rendered
        for want in expected:
            matches = [p for p in problems if (p.file, p.key_path) == (want.file, want.key_path)]
            assert all(p.line == want.line for p in matches), rendered
            assert any(want.message in p.message for p in matches), rendered
            for p in matches:
                assert str(p) == f"{want.file}:{want.line}: {want.key_path}: {p.message}"
        return problems

    return check


@pytest.fixture
def apply_variant(config_copy: Path) -> Callable[[str], list[Expected]]:
    """Apply the named broken variant to the private copy; returns the problems it must cause."""
    return lambda case: _apply(config_copy, case)


def broken_variant_names() -> list[str]:
    return sorted(p.name for p in BROKEN_VARIANTS.iterdir() if (p / "patch.yaml").exists())
