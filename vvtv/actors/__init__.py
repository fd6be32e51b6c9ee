"""The actor kernel: supervised, bounded-mailbox trio actors addressed by (kind, key), and
supervised services (long-running tasks restarted within the same restart intensity).

Knows nothing of the product; imports only trio, msgspec, the stdlib and `vvtv.errors`.
"""

from .actor import Actor
from .actor import ActorFactory
from .actor import BaseActor
from .batches import Batches
from .errors import ActorCrashed
from .errors import ActorUnavailable
from .errors import AskTimeout
from .errors import GaveUp
from .errors import MailboxFull
from .errors import ShuttingDown
from .errors import UnknownActorKind
from .nursery import Runs
from .nursery import open_background_nursery
from .nursery import open_running
from .registry import Registry
from .registry import open_registry
from .settings import ActorSettings
from .statistics import KindStatistics

__all__ = [
    "Actor",
    "ActorCrashed",
    "ActorFactory",
    "ActorSettings",
    "ActorUnavailable",
    "AskTimeout",
    "BaseActor",
    "Batches",
    "GaveUp",
    "KindStatistics",
    "MailboxFull",
    "Registry",
    "Runs",
    "ShuttingDown",
    "UnknownActorKind",
    "open_background_nursery",
    "open_registry",
    "open_running",
]
