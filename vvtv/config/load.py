"""Read one YAML file with ruamel.yaml's round-trip loader, keeping the line of every key.

The data is handed on as plain builtins (dict, list, str, int, float, bool, None); the line index
lets any later stage name `file:line` for a key path, even for keys that merge or decode rejected.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from vvtv.config.problems import KeyPath
from vvtv.config.problems import Problem
from vvtv.config.problems import format_key_path


@dataclass(frozen=True)
class SourceFile:
    """A loaded YAML file: plain `data` plus the 1-based line of every key path in it."""

    display: str
    data: Any
    lines: Mapping[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int:
        """Line of `path`, or of its nearest ancestor in the file (a missing key's parent)."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1

    def problem(self, path: KeyPath, message: str) -> Problem:
        return Problem(self.display, self.line_of(path), format_key_path(path), message)


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return os.path.normpath(path)


def load_source(path: Path) -> SourceFile | Problem:
    """Load `path`; a missing file or a YAML error comes back as a `Problem` with its line."""
    display = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return Problem(display, 1, "(document)", f"cannot read file: {exc.strerror or exc}")
    try:
        node = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        return Problem(display, line, "(yaml)", f"YAML syntax error: {what or exc}")
    except YAMLError as exc:
        return Problem(display, 1, "(yaml)", f"YAML error: {exc}")
    lines: dict[KeyPath, int] = {}
    data = _plain(node, (), lines)
    return SourceFile(display, data, lines)


def _plain(node: Any, path: KeyPath, lines: dict[KeyPath, int]) -> Any:
    """Strip ruamel's round-trip types down to builtins, recording lines on the way."""
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            plain_key = _plain_scalar(key)
            lines[(*path, plain_key)] = node.lc.key(key)[0] + 1
            out[plain_key] = _plain(value, (*path, plain_key), lines)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            lines[(*path, index)] = node.lc.item(index)[0] + 1
            items.append(_plain(value, (*path, index), lines))
        return items
    return _plain_scalar(node)


def _plain_scalar(value: Any) -> Any:
    if isinstance(value, (bool, ScalarBoolean)):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value
