"""The one base of every config Struct: immutable, strict about unknown keys, keyword-only; and
the base of a node whose fields are all one kind of thing, each named for what it is of."""

from __future__ import annotations

from typing import Generic
from typing import TypeVar
from typing import dataclass_transform

import msgspec

T = TypeVar("T")


# msgspec hands `frozen` and `forbid_unknown_fields` down to subclasses; this tells type checkers
# so, and a node says no more than its fields.
@dataclass_transform(frozen_default=True, field_specifiers=(msgspec.field,))
class ConfigStruct(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Base of every typed config node (frozen and forbid_unknown_fields are inherited)."""


class ByName(ConfigStruct, Generic[T]):
    """A node keyed by name (a chat scope, an ecosystem, a feature): `of(name)` reads one."""

    def of(self, name: str) -> T:
        value: T = getattr(self, name)
        return value
