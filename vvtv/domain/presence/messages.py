"""What a presence room is told (messages) and what it asks of its owner (effects)."""

from __future__ import annotations

from typing import Literal

from vvtv.contracts.events import PresenceSnapshot
from vvtv.contracts.events import PresenceUpdate
from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresencePage
from vvtv.contracts.presence import PresenceQuery
from vvtv.contracts.presence import PresenceSet
from vvtv.domain.presence.room import Person
from vvtv.domain.timer import WakeAt
from vvtv.domain.values import frozen

# --- messages ------------------------------------------------------------------------------------


@frozen
class Join:
    """A connection sets fields in this ecosystem: it joins as a device of its user's presence
    (made with `presence_id` if the user has none here yet)."""

    connection: str
    person: Person
    fields: PresenceSet
    presence_id: str


@frozen
class Set:
    """A joined connection changes its presence's fields."""

    connection: str
    fields: PresenceSet


@frozen
class Leave:
    """The connection leaves now (its user's presence goes with its last device)."""

    connection: str


@frozen
class Heartbeat:
    connection: str


@frozen
class Heartbeats:
    """Many connections' heartbeats as one message, so a busy room's bounded mailbox holds them:
    answered with the connections it does not hold (each would have been refused `not_present`)."""

    connections: tuple[str, ...]


@frozen
class Tick:
    """The owner's timer, at the time the last `WakeAt` asked for (or later)."""


@frozen
class Subscribe:
    connection: str
    person: Person
    query: PresenceQuery


@frozen
class Unsubscribe:
    connection: str


@frozen
class BlocksChanged:
    """`a` blocked (or unblocked) `b`: effective in the next flush, both ways (MOD-2)."""

    a: str
    b: str
    blocked: bool


@frozen
class QuarantineChanged:
    """A moderator put `user_id` in shadow quarantine or took them out (MOD-4)."""

    user_id: str
    shadow: bool


@frozen
class Expel:
    """Remove a user from the room now, every device and every watch (a ban, MOD-3)."""

    user_id: str


@frozen
class Query:
    """A read-only look (GET /presence/party, /presence/grid: OPS-4); answered with a page."""

    viewer: Person
    query: PresenceQuery


@frozen
class Lookup:
    """Which of `user_ids` are members whose camera `viewer` may see now (live tiles: the same
    rule as every list, MOD-2/4); answered with that subset."""

    viewer: Person
    user_ids: frozenset[str]


Message = (
    Join
    | Set
    | Leave
    | Heartbeat
    | Heartbeats
    | Tick
    | Subscribe
    | Unsubscribe
    | BlocksChanged
    | QuarantineChanged
    | Expel
    | Query
    | Lookup
)


# --- effects -------------------------------------------------------------------------------------


@frozen
class Deliver:
    connection: str
    event: PresenceSnapshot | PresenceUpdate


@frozen
class Answer:
    """The asker's reply: their own presence after a join or set, a query's page, or the
    connections a batch of heartbeats named that the room does not hold."""

    value: PresenceMember | PresencePage | frozenset[str]


@frozen
class Expired:
    """Presences dropped for silence (PRS-5), by presence id."""

    presence_ids: tuple[str, ...]


RefusalCode = Literal["not_present", "wrong_ecosystem", "invalid_fields", "invalid_query"]


@frozen
class Refuse:
    code: RefusalCode
    message: str
    path: str | None = None


Effect = Deliver | Answer | WakeAt | Expired | Refuse
