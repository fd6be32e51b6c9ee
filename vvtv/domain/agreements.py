"""What lets a call session exist (INV-2): an invite its guest accepted, or a match found.

A mode's manifest names its gate (`policies.requires_consent` / `requires_match`). Only the consent
and matching services hold an `Agreement` (import-linter keeps it out of every route), so no request
a client sends can open a gate by itself.
"""

from __future__ import annotations

from typing import Literal

from vvtv.domain.values import frozen

Gate = Literal["consent", "match"]


@frozen
class Agreement:
    """An invite accepted (`consent`, CNS-2) or a match found (`match`, MAT-2). `ref` names that
    invite or match; `participants`, everyone it binds, are the session's participants."""

    gate: Gate
    ref: str
    participants: tuple[str, ...]


def gate_of(requires_consent: bool, requires_match: bool) -> Gate | None:
    """The gate a mode's policies put before its sessions; None: anyone signed in may start one."""
    if requires_consent:
        return "consent"
    if requires_match:
        return "match"
    return None


def closed_gate(gate: Gate | None, agreement: Agreement | None) -> Gate | None:
    """The gate still standing between a request and its session: None once it may exist. An
    agreement opens only its own gate: a match never stands in for a private call's consent."""
    if gate is None or (agreement is not None and agreement.gate == gate):
        return None
    return gate
