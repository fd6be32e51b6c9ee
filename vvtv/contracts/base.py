"""The base of every contract Struct and the contracts' version."""

from __future__ import annotations

from typing import Annotated, Any, dataclass_transform

import msgspec

# Bumped on any breaking change; additive changes (new optional fields, new events) keep it.
CONTRACTS_VERSION = 1

# Every integer on the wire is bounded: the store's integers are signed 64-bit (SQLite), and an
# unbounded one decodes fine, then fails deep in a service or the store as a 500 instead of a 400
# naming its field. Bounds that are policy (a page size, a ban's length) come from config on top.
INT64_MAX = 2**63 - 1
Int64 = Annotated[int, msgspec.Meta(ge=-INT64_MAX - 1, le=INT64_MAX)]
Count = Annotated[int, msgspec.Meta(ge=0, le=INT64_MAX)]  # how many (or how long) of something
Serial = Annotated[int, msgspec.Meta(ge=1, le=INT64_MAX)]  # a row id or a version number
HttpStatus = Annotated[int, msgspec.Meta(ge=400, le=599)]  # of an error


class _KeywordOnly(msgspec.StructMeta):
    """msgspec applies `kw_only` to the fields a class itself declares, and hands `frozen` and
    `forbid_unknown_fields` down; this hands `kw_only` down too, so a body says only its fields."""

    def __new__(
        mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kw: Any
    ) -> Any:
        return super().__new__(mcls, name, bases, namespace, **{"kw_only": True, **kw})


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(msgspec.field,))
class Contract(msgspec.Struct, metaclass=_KeywordOnly, frozen=True, forbid_unknown_fields=True):
    """A wire body: immutable, keyword-only, and strict about unknown fields."""


class Event(Contract, tag_field="type"):
    """A WebSocket message; `type` is its tag, `v` the contracts version it was written for."""

    v: Serial = CONTRACTS_VERSION
