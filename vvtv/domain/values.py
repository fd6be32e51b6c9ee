"""Immutable values: the one decorator every message, fact and view record of the house is made
with, so each reads `@frozen` and they cannot drift apart (one frozen, one not; one slotted...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar
from typing import dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True)
def frozen(cls: type[T]) -> type[T]:
    """A frozen, slotted dataclass: hashable, compared by value, cheap to make by the million (a
    presence room's heartbeats are messages)."""
    return dataclass(frozen=True, slots=True)(cls)
