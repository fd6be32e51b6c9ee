"""What a broken config reports: a `Problem` names file, line, key path and the rule broken.

`ConfigError` carries every problem found, so one run of `vvtv config validate` shows them all.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """`("profiles", "thumb_low", "audio")` -> `profiles.thumb_low.audio`; list items as `[3]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(document)"


class Problem(msgspec.Struct, frozen=True, order=True):
    """One thing wrong with the config, located in its file."""

    file: str
    line: int
    key_path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key_path}: {self.message}"


class ConfigError(Exception):
    """The config cannot be used; `problems` lists every problem found, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid config")
