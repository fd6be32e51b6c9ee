"""What changed between two OwnerCard versions (POL-1): the diff every new version is stored
and audited with."""

from __future__ import annotations

from typing import Any

import msgspec

from vvtv.contracts.lab import FieldChange
from vvtv.contracts.lab import OwnerCard


def card_diff(before: OwnerCard | None, after: OwnerCard) -> list[FieldChange]:
    """Leaf-level changes between two cards, as JSON paths (`$.tag_quotas[0].max_share`)."""
    changes: list[FieldChange] = []
    _diff("$", msgspec.to_builtins(before) if before else None, msgspec.to_builtins(after), changes)
    return changes


def _diff(path: str, old: Any, new: Any, out: list[FieldChange]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            _diff(f"{path}.{key}", old.get(key), new.get(key), out)
    elif isinstance(old, list | tuple) and isinstance(new, list | tuple) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            _diff(f"{path}[{index}]", a, b, out)
    elif old != new:
        out.append(FieldChange(path=path, before=old, after=new))
