"""The operator's console, pushed (TEL-4/5, INV-7): an admin's socket that follows it gets an
`operator.update` at once, then one after each change (a cost sample, a move of the kill-switch
ladder), instead of asking every few seconds.

Why the one /ws socket and not Server-Sent Events: every signed-in tab already holds it,
authenticated in-band with its token checked and expiring; its outbox drops a client too slow to
read; and the console's page already listens there for `service.notice`. SSE would be a second
long-lived connection per admin tab with its own authentication.

Who receives: only sockets that asked (`operator.follow`), and only while their user is an admin
now: the role is read again at every push, so an admin made a user stops receiving at the next
change, though the socket was opened with an admin's token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from collections.abc import Callable

import trio

from vvtv.contracts.cost import CostHistory
from vvtv.contracts.cost import CostPoint
from vvtv.contracts.cost import CostReport
from vvtv.contracts.cost import KillSwitchStatus
from vvtv.contracts.events import OperatorUpdate
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.identity import AuditEntry
from vvtv.contracts.lab import LabStatus
from vvtv.contracts.operator import LiveStatus
from vvtv.contracts.shield import ShieldStatus
from vvtv.contracts.telemetry import FunnelReport
from vvtv.contracts.telemetry import IncidentStatus
from vvtv.domain.accounts import Principal
from vvtv.domain.values import frozen
from vvtv.errors import Forbidden

log = logging.getLogger(__name__)


@frozen
class FeedPorts:
    live: Callable[[], LiveStatus]
    cost: Callable[[], CostReport]
    history: Callable[[int | None], CostHistory]  # the samples kept after a seq (all: None)
    ladder: Callable[[], KillSwitchStatus]
    funnel: Callable[[], FunnelReport]
    lab: Callable[[], LabStatus]
    incident: Callable[[], IncidentStatus]
    shield: Callable[[], ShieldStatus]
    audit: Callable[[], Awaitable[list[AuditEntry]]]  # the newest page, newest first
    is_admin: Callable[[str], bool]  # the user's role as of now
    push_to: Callable[[str, ServerEvent], None]  # to one socket (nothing once it closed)


class OperatorFeed:
    def __init__(self, ports: FeedPorts) -> None:
        self._ports = ports
        self._followers: dict[str, str] = {}  # socket id -> its user
        self._changed = trio.Event()
        # What the last update pushed to every follower ends with: the next one starts after.
        self._last_seq: int | None = None  # cost samples' seq
        self._last_audit_id: int | None = None

    async def follow(self, principal: Principal, connection: str) -> OperatorUpdate:
        """`operator.follow` on socket `connection`: the figures now, with the newest audit page
        and cost sample; then every update until it unfollows or closes."""
        if not self._ports.is_admin(principal.user_id):
            raise Forbidden("The operator's console is for admins.")
        self._followers[connection] = principal.user_id
        latest = self._ports.history(None).samples[-1:]
        audit = await self._ports.audit()
        if self._last_seq is None:  # the first follower: updates start from what it was given
            self._last_seq = latest[-1].seq if latest else 0
            self._last_audit_id = audit[0].id if audit else 0
        return self._update(latest, audit)

    def unfollow(self, connection: str) -> None:
        self._followers.pop(connection, None)

    def changed(self, *_: object) -> None:
        """Something the console shows moved (a ladder listener: `changed(level)`)."""
        self._changed.set()

    async def sampled(self, _: CostReport) -> None:
        """A cost sample (a cost meter listener)."""
        self._changed.set()

    async def run(self) -> None:
        """Push one update per burst of changes, until cancelled."""
        while True:
            await self._changed.wait()
            self._changed = trio.Event()
            if self._followers:
                await self._push()

    async def _push(self) -> None:
        samples = self._ports.history(self._last_seq).samples
        audit = [e for e in await self._ports.audit() if e.id > (self._last_audit_id or 0)]
        if samples:
            self._last_seq = samples[-1].seq
        if audit:
            self._last_audit_id = audit[0].id
        update = self._update(samples, audit)
        for connection, user_id in list(self._followers.items()):
            if self._ports.is_admin(user_id):
                self._ports.push_to(connection, update)
            else:
                log.info("operator feed: %s is no longer an admin; socket dropped", user_id)
                del self._followers[connection]

    def _update(self, samples: list[CostPoint], audit: list[AuditEntry]) -> OperatorUpdate:
        ports = self._ports
        return OperatorUpdate(
            live=ports.live(),
            cost=ports.cost(),
            ladder=ports.ladder(),
            funnel=ports.funnel(),
            lab=ports.lab(),
            incident=ports.incident(),
            shield=ports.shield(),
            samples=samples,
            audit=audit,
        )
