"""The one base of every config Struct: immutable, strict about unknown keys, keyword-only."""

from __future__ import annotations

import msgspec


class ConfigStruct(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Base of every typed config node (frozen and forbid_unknown_fields are inherited)."""
