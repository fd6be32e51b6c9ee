"""One segment of the queue (MAT-3): the people searching in one language and pool, in arrival
order, indexed by tag, and which of them no longer hold out for a shared tag.

Who suits whom: two people sharing a tag suit each other at once; otherwise only once both are
`relaxed` (they named no tag, or have waited `relax_after_s`). Among those who suit, the most
shared tags win, then the longest wait. The caller says who is acceptable at all (no block, not
met recently): the segment knows nothing of people beyond their tickets.
"""

from __future__ import annotations

import math
from collections.abc import Callable


class Ticket:
    __slots__ = ("relaxed", "since", "tags", "user_id")

    def __init__(self, user_id: str, tags: frozenset[str], since: float) -> None:
        self.user_id = user_id
        self.tags = tags
        self.since = since
        self.relaxed = not tags  # no preference: anyone in the segment suits them


class Segment:
    __slots__ = ("by_tag", "key", "relaxed", "waiting")

    def __init__(self, key: str) -> None:
        self.key = key
        self.waiting: dict[str, Ticket] = {}  # in arrival order
        self.by_tag: dict[str, dict[str, None]] = {}  # ordered sets of user ids
        self.relaxed: dict[str, None] = {}

    def __len__(self) -> int:
        return len(self.waiting)

    def add(self, ticket: Ticket) -> None:
        self.waiting[ticket.user_id] = ticket
        for tag in ticket.tags:
            self.by_tag.setdefault(tag, {})[ticket.user_id] = None
        if ticket.relaxed:
            self.relaxed[ticket.user_id] = None

    def remove(self, user_id: str) -> Ticket | None:
        ticket = self.waiting.pop(user_id, None)
        if ticket is None:
            return None
        for tag in ticket.tags:
            holders = self.by_tag[tag]
            del holders[user_id]
            if not holders:
                del self.by_tag[tag]
        self.relaxed.pop(user_id, None)
        return ticket

    def relax(self, user_id: str) -> Ticket | None:
        ticket = self.waiting.get(user_id)
        if ticket is not None and not ticket.relaxed:
            ticket.relaxed = True
            self.relaxed[user_id] = None
        return ticket

    def best_for(self, ticket: Ticket, acceptable: Callable[[str], bool]) -> str | None:
        """Whom `ticket` should meet now, or None: wait for the next event."""
        shared: dict[str, int] = {}
        for tag in ticket.tags:
            for other in self.by_tag.get(tag, ()):
                shared[other] = shared.get(other, 0) + 1
        shared.pop(ticket.user_id, None)
        best: str | None = None
        most, earliest = 0, math.inf
        for other, count in shared.items():
            since = self.waiting[other].since
            if (count > most or (count == most and since < earliest)) and acceptable(other):
                best, most, earliest = other, count, since
        if best is not None or not ticket.relaxed:
            return best
        return next(
            (o for o in self.relaxed if o != ticket.user_id and acceptable(o)),
            None,
        )
