"""Reading a row into a record: each field from the column of its name unless the caller converts
it; and the optional times the stores keep as ISO 8601 text."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")


def from_row(kind: type[T], row: sqlite3.Row, **converted: Any) -> T:
    """A `kind` (a dataclass or a msgspec Struct) from `row`: the fields `converted` gives (a time
    parsed, JSON decoded, a column of another name) as given, every other one as the column of its
    name holds it; a field no column names keeps its default (a required one raises TypeError)."""
    columns = set(row.keys())
    stored = {
        name: row[name] for name in _fields(kind) if name in columns and name not in converted
    }
    return kind(**stored, **converted)


def _fields(kind: type[Any]) -> tuple[str, ...]:
    if dataclasses.is_dataclass(kind):
        return tuple(field.name for field in dataclasses.fields(kind) if field.init)
    names: tuple[str, ...] = kind.__struct_fields__
    return names


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def stored_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
