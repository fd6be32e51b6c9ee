"""Reading a row into a record: each field from the column of its name, decoded as the stores
encode it (a time as ISO 8601 text, a flag as 0 or 1), unless the caller converts it; and the
optional times the stores write."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any
from typing import TypeVar

import msgspec.inspect

T = TypeVar("T")
Decode = Callable[[Any], Any]

# Per record type: each field's decoder (None: the column's value as it is).
_DECODERS: dict[type[Any], dict[str, Decode | None]] = {}


def from_row(kind: type[T], row: sqlite3.Row, **converted: Any) -> T:
    """A `kind` (a dataclass or a msgspec Struct) from `row`: the fields `converted` gives (JSON
    decoded, a column of another name) as given, every other one as the column of its name holds
    it, decoded for its type; a field no column names keeps its default (a required one raises
    TypeError)."""
    columns = set(row.keys())
    stored = {}
    for name, decode in _decoders(kind).items():
        if name in columns and name not in converted:
            value = row[name]
            stored[name] = value if decode is None or value is None else decode(value)
    return kind(**stored, **converted)


def _decoders(kind: type[Any]) -> dict[str, Decode | None]:
    decoders = _DECODERS.get(kind)
    if decoders is None:
        info = msgspec.inspect.type_info(kind)
        assert isinstance(info, (msgspec.inspect.StructType, msgspec.inspect.DataclassType))
        decoders = _DECODERS[kind] = {field.name: _decoder(field.type) for field in info.fields}
    return decoders


def _decoder(kind: msgspec.inspect.Type) -> Decode | None:
    options = kind.types if isinstance(kind, msgspec.inspect.UnionType) else (kind,)
    if any(isinstance(option, msgspec.inspect.DateTimeType) for option in options):
        return datetime.fromisoformat
    if any(isinstance(option, msgspec.inspect.BoolType) for option in options):
        return bool
    return None


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
