"""Where a problem is: a `Locator` turns a key path into `file:line`.

For an effective tier that is the overlay's line when the tier set the value, else base's; for a
skin (OPS-3), the skin's line in `skins.yaml` when it set the value, else where the file it
changes says.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Protocol

from vvtv.config.load import SourceFile
from vvtv.config.problems import KeyPath
from vvtv.config.problems import Problem


class Locator(Protocol):
    def problem(self, path: KeyPath, message: str) -> Problem: ...


@dataclass(frozen=True)
class TierLocator:
    """Locates an effective-tier key path: `tiers.<tier>` if the overlay set it, else `base`."""

    source: SourceFile
    tier: str | None
    overlay: Mapping[str, Any]

    def problem(self, path: KeyPath, message: str) -> Problem:
        if self.tier is not None and has_path(self.overlay, path):
            return self.source.problem(("tiers", self.tier, *path), message)
        return self.source.problem(("base", *path), message)


@dataclass(frozen=True)
class SkinLocator:
    """Locates a key path of the skin's effective manifests or limits: in `skins.yaml` where the
    skin's `overlay` set it, else where `under` locates it."""

    source: SourceFile
    overlay: Mapping[str, Any]
    written_at: Callable[[KeyPath], KeyPath]  # a path of the overlay -> its path in skins.yaml
    under: Locator

    def problem(self, path: KeyPath, message: str) -> Problem:
        if has_path(self.overlay, path):
            return self.source.problem(self.written_at(path), message)
        return self.under.problem(path, message)


def has_path(data: Any, path: KeyPath) -> bool:
    for part in path:
        if isinstance(data, Mapping):
            found = part in data
        else:
            found = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if not found:
            return False
        data = data[part]
    return True
