"""The base of every contract Struct and the contracts' version."""

from __future__ import annotations

import msgspec

# Bumped on any breaking change; additive changes (new optional fields, new events) keep it.
CONTRACTS_VERSION = 1


class Contract(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A wire body: immutable, keyword-only, and strict about unknown fields."""


class Event(Contract, frozen=True, kw_only=True, tag_field="type"):
    """A WebSocket message; `type` is its tag, `v` the contracts version it was written for."""

    v: int = CONTRACTS_VERSION
