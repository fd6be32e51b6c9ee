"""Where a problem is: a `Locator` turns a key path into `file:line`.

For an effective tier that is the overlay's line when the tier set the value, else base's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from vvtv.config.load import SourceFile
from vvtv.config.problems import KeyPath, Problem


class Locator(Protocol):
    def problem(self, path: KeyPath, message: str) -> Problem: ...


@dataclass(frozen=True)
class TierLocator:
    """Locates an effective-tier key path: `tiers.<tier>` if the overlay set it, else `base`."""

    source: SourceFile
    tier: str | None
    overlay: Mapping[str, Any]

    def problem(self, path: KeyPath, message: str) -> Problem:
        if self.tier is not None and _has_path(self.overlay, path):
            return self.source.problem(("tiers", self.tier, *path), message)
        return self.source.problem(("base", *path), message)


def _has_path(data: Any, path: KeyPath) -> bool:
    for part in path:
        if isinstance(data, Mapping):
            found = part in data
        else:
            found = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if not found:
            return False
        data = data[part]
    return True
