"""The actor kernel's typed errors, all in the one `vvtv.errors` hierarchy."""

from __future__ import annotations

from collections.abc import Hashable

from vvtv.errors import Unavailable
from vvtv.errors import VvtvError


class _AddressedError(VvtvError):
    """An error about one actor; its kind and key are for logs, not for the client message."""

    def __init__(self, message: str, *, kind: str, key: Hashable) -> None:
        super().__init__(message)
        self.kind = kind
        self.key = key


class MailboxFull(_AddressedError, Unavailable):
    """`tell`/`ask` found the actor's bounded mailbox full: the message was not accepted."""

    code = "mailbox_full"


class AskTimeout(_AddressedError, Unavailable):
    """No reply came within the ask timeout (the message may still be processed later)."""

    code = "ask_timeout"


class ActorCrashed(_AddressedError):
    """The actor raised while handling this message; it was restarted (the cause is `__cause__`)."""

    code = "actor_crashed"


class ActorUnavailable(_AddressedError, Unavailable):
    """The supervisor gave up on this actor (too many crashes); the message was not processed."""

    code = "actor_unavailable"


class ShuttingDown(Unavailable):
    """The registry is closing and accepts no new messages."""

    code = "shutting_down"


class GaveUp(RuntimeError):
    """A supervised service crashed more often than its restart intensity allows; its last crash
    is `__cause__`. Not a refusal of a request: the operator's to see."""

    def __init__(self, name: str, max_restarts: int, window_s: float) -> None:
        super().__init__(
            f"{name} crashed more than {max_restarts} times within {window_s:g} s; giving up"
        )
        self.name = name


class UnknownActorKind(LookupError):
    """A message named a kind nobody registered: a wiring bug, not a client error."""
