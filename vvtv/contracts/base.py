"""The base of every contract Struct and the contracts' version."""

from __future__ import annotations

from typing import Annotated
from typing import dataclass_transform

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


# msgspec hands `frozen` and `forbid_unknown_fields` down to subclasses; this tells type checkers
# so. A contract is made by keyword only: the type checker holds every contract to it
# (`kw_only_default`; the product is checked strictly). msgspec applies `kw_only` per class (a
# metaclass handing it down would cost its fast constructor: 3x slower to make a Struct), so a
# body says `kw_only=True` itself only where msgspec's field order needs it: a required field
# after one with a default, or a base with fields (Event's `v`, SessionSpec's, PresenceFilters').
@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(msgspec.field,))
class Contract(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A wire body: immutable, keyword-only, and strict about unknown fields."""


class Event(Contract, kw_only=True, tag_field="type"):
    """A WebSocket message; `type` is its tag, `v` the contracts version it was written for."""

    v: Serial = CONTRACTS_VERSION
