"""What lets a call session exist (INV-2): an invite its guest accepted, or a match found.

A mode's manifest names its gate (`policies.requires_consent` / `requires_match`). Only the consent
and matching services hold an `Agreement` (import-linter keeps it out of every route), so no request
a client sends can open a gate by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic
from typing import Literal
from typing import Protocol
from typing import TypeVar

from vvtv.contracts.sessions import CreateSession
from vvtv.contracts.sessions import SessionView
from vvtv.domain.shield import OPEN
from vvtv.domain.shield import Gates
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


class AgreedCalls(Protocol):
    """The orchestrator's entry point for agreed calls, which only an agreement's holder has."""

    async def create_agreed(self, agreement: Agreement, body: CreateSession) -> SessionView: ...


# Covariant (the record is frozen): one identity and one orchestrator serve each holder's own
# narrower Protocols of them.
People = TypeVar("People", covariant=True)
Calls = TypeVar("Calls", bound=AgreedCalls, covariant=True)


@frozen
class AgreementPorts(Generic[People, Calls]):
    """What a service that makes agreements (consent, matching) reaches outside itself besides
    its actors' ports, which never hold the orchestrator: a call starts only where the agreement
    is made (INV-2)."""

    people: People  # identity, as of now: each holder's own Protocol of what it asks
    calls: Calls  # the orchestrator
    connections: Callable[[str], int]  # how many sockets a user has open
    gates: Callable[[], Gates] = lambda: OPEN  # Shield Mode's, as of each request
