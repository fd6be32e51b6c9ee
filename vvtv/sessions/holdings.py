"""A user's holdings (kind `holdings`, key = user id): the one owner that admits the sessions a
user starts (POST /sessions, a transition) against `sessions.max_concurrent_per_user` (OPS-5: two
devices of one user). A call made by agreement (a consent or a match, INV-2) is neither counted
nor refused here: each device may sit in Party while one of them takes a call, and the consent
and matching services already hold a user to one invite and one match at a time.

The store says which sessions a user holds; what this actor adds is order and the sessions being
created: two creates for one user are two messages in one mailbox, and the first one's
reservation counts while its session is not yet written (and once written, only once: a
reservation names its session). A reservation is released when its create returns; one left
behind (its release lost to a full mailbox, or the asker cancelled) lapses after the ask
timeout, by which time its session is in the store or was never made.
"""

from __future__ import annotations

from typing import ClassVar

import trio

from vvtv.actors import BaseActor
from vvtv.domain.sessions import may_hold_another
from vvtv.domain.values import frozen
from vvtv.sessions.errors import TooManySessions
from vvtv.sessions.store import SessionStore

KIND = "holdings"


@frozen
class Reserve:
    """Room for the session `session_id`; `replacing` is the one a transition is ending for it."""

    session_id: str
    replacing: str | None = None


@frozen
class Release:
    session_id: str


@frozen
class HoldingsCommons:
    """What every user's holdings share, made once by the orchestrator: the store that says which
    sessions a user holds, and the rule: at most `limit` of them in the `counted_modes`, a
    reservation lapsing after `lapse_s`."""

    store: SessionStore
    limit: int
    counted_modes: frozenset[str]
    lapse_s: float


class HoldingsActor(BaseActor):
    """Replies to `Reserve` with None, or refuses with `TooManySessions`; `Release` follows."""

    kind: ClassVar[str] = KIND

    def __init__(self, user_id: str, commons: HoldingsCommons) -> None:
        self._user_id = user_id
        self._commons = commons
        self._reserved: dict[str, float] = {}  # session id -> when it lapses (trio time)

    async def handle(self, message: Reserve | Release) -> None:
        if isinstance(message, Release):
            self._reserved.pop(message.session_id, None)
            return
        now = trio.current_time()
        self._reserved = {id_: until for id_, until in self._reserved.items() if until > now}
        held = {
            id_
            for id_, mode in (await self._commons.store.held_by(self._user_id)).items()
            if mode in self._commons.counted_modes and id_ != message.replacing
        }
        if not may_hold_another(held, self._reserved.keys(), self._commons.limit):
            raise TooManySessions(
                f"You already have {self._commons.limit} sessions open (on other tabs or devices);"
                " close one to start another."
            )
        self._reserved[message.session_id] = now + self._commons.lapse_s
