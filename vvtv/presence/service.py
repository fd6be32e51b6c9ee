"""The presence service: the one entry point of the presence routes, the /ws presence messages and
the other contexts' hooks (blocks, shadow quarantine, bans), over the room actors.

It maps a mode to its ecosystem's room, asks identity who a user is (`People`), and keeps, per
connection, the room it is present in and the rooms it watches, so one heartbeat reaches them
all. A socket that closes leaves nothing at once: its rooms forget it after the TTL, so a client
that reconnects within it finds its presence still there (same presence id, nobody sees a leave).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field
from typing import Protocol

import trio

from vvtv.config import ConfigBundle
from vvtv.contracts.identity import UserView
from vvtv.contracts.presence import PresenceAlive
from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresencePage
from vvtv.contracts.presence import PresenceQuery
from vvtv.contracts.presence import PresenceSet
from vvtv.domain.accounts import Principal
from vvtv.domain.presence.messages import BlocksChanged
from vvtv.domain.presence.messages import Expel
from vvtv.domain.presence.messages import Heartbeats
from vvtv.domain.presence.messages import Join
from vvtv.domain.presence.messages import Leave
from vvtv.domain.presence.messages import Lookup
from vvtv.domain.presence.messages import QuarantineChanged
from vvtv.domain.presence.messages import Query
from vvtv.domain.presence.messages import Subscribe
from vvtv.domain.presence.messages import Unsubscribe
from vvtv.domain.presence.room import Person
from vvtv.presence.actor import PresenceRooms
from vvtv.presence.errors import NotPresent
from vvtv.presence.errors import UnknownEcosystem
from vvtv.presence.errors import UnknownPresenceMode
from vvtv.presence.heartbeats import HeartbeatBatches

HTTP_CONNECTION = "http:"  # + the sign-in's id: an HTTP client's one connection (socket ids: hex)


class People(Protocol):
    """What presence asks identity about a user, as of now."""

    def user_view(self, user_id: str) -> UserView: ...
    def is_new(self, user_id: str) -> bool: ...
    def blocked_either_way(self, user_id: str) -> frozenset[str]: ...


@dataclass(slots=True, kw_only=True)
class _Link:
    """What one connection holds in the rooms, as far as this service asked for it."""

    user_id: str
    http: bool  # an HTTP client's: no close tells us it is gone, so it is dropped when silent
    heard_at: float  # trio time of its last set or heartbeat
    present_in: str | None = None
    watching: set[str] = field(default_factory=set)

    def rooms(self) -> list[str]:
        held = set(self.watching)
        if self.present_in is not None:
            held.add(self.present_in)
        return sorted(held)


class Presence:
    def __init__(self, rooms: PresenceRooms, config: ConfigBundle, people: People) -> None:
        self._rooms = rooms
        self._people = people
        self._ecosystem_of = {name: mode.ecosystem for name, mode in config.modes.modes.items()}
        self._ecosystems = frozenset(self._ecosystem_of.values())
        self._ttl_s = config.limits.presence.ghost_ttl_s
        self._links: dict[str, _Link] = {}
        self._by_user: dict[str, set[str]] = {}
        self._pruned_at = trio.current_time()
        self._heartbeats = HeartbeatBatches(self._ask_heartbeats)

    @staticmethod
    def http_connection(principal: Principal) -> str:
        """An HTTP client's connection: its sign-in, shared by the tabs of one browser."""
        return HTTP_CONNECTION + principal.auth_session_id

    # -- reading (PRS-3, OPS-4) ------------------------------------------------------------------

    async def query(self, principal: Principal, query: PresenceQuery) -> PresencePage:
        self._check_ecosystem(query.ecosystem)
        viewer = self._person(principal.user_id)
        page: PresencePage = await self._rooms.ask(query.ecosystem, Query(viewer, query))
        return page

    async def cameras_seen_by(
        self, user_id: str, ecosystem: str, user_ids: frozenset[str]
    ) -> frozenset[str]:
        """Which of `user_ids` are present in `ecosystem` with their camera on and visible to
        `user_id` now: the live tiles' one check (THB-5), by the rule of every list."""
        self._check_ecosystem(ecosystem)
        seen: frozenset[str] = await self._rooms.ask(
            ecosystem, Lookup(self._person(user_id), user_ids)
        )
        return seen

    # -- being present (PRS-1, PRS-2) ------------------------------------------------------------

    async def set(
        self, principal: Principal, connection: str, fields: PresenceSet
    ) -> PresenceMember:
        """Join the ecosystem of `fields.presence_mode`, or change your fields there; joining
        another ecosystem leaves the one this connection was in (now, not after the TTL)."""
        ecosystem = self._ecosystem_of.get(fields.presence_mode)
        if ecosystem is None:
            raise UnknownPresenceMode(
                f"No mode is called `{fields.presence_mode}`.", path="presence_mode"
            )
        person = self._person(principal.user_id)
        # A new presence id is used only if the user has none in the room yet.
        join = Join(connection, person, fields, uuid.uuid4().hex)
        member: PresenceMember = await self._rooms.ask(ecosystem, join)
        link = self._link(principal.user_id, connection)
        if link.present_in is not None and link.present_in != ecosystem:
            self._rooms.tell(link.present_in, Leave(connection))
        link.present_in = ecosystem
        link.heard_at = trio.current_time()
        return member

    async def heartbeat_http(self, principal: Principal) -> PresenceAlive:
        """`POST /presence/heartbeat`: keep the caller's HTTP presence alive."""
        connection = self.http_connection(principal)
        link = self._links.get(connection)
        ecosystem = link.present_in if link is not None else None
        if link is None or ecosystem is None or await self._beat(connection, link):
            raise NotPresent("Not present (any more): set your presence again.")
        return PresenceAlive(ecosystem=ecosystem, expires_in_s=self._ttl_s)

    async def heartbeat_socket(self, principal: Principal, connection: str) -> None:
        """`presence.heartbeat`: keep the socket's presence and watches alive, and its sign-in's
        HTTP presence if it set one; refused (`not_present`, naming the ecosystems) for what a
        room no longer held (restarted, or silent past the TTL): set or subscribe again."""
        held = False
        lost: list[str] = []
        for beating in (self.http_connection(principal), connection):
            link = self._links.get(beating)
            if link is not None and link.user_id == principal.user_id:
                held = True
                lost += await self._beat(beating, link)
        if not held:
            raise NotPresent("Nothing to keep alive here: set your presence or subscribe first.")
        if lost:
            raise NotPresent(
                f"No longer in {', '.join(sorted(set(lost)))}: set your presence and subscribe"
                " again."
            )

    def leave(self, principal: Principal, connection: str, ecosystem: str) -> None:
        self._check_ecosystem(ecosystem)
        link = self._links.get(connection)
        if link is not None and link.user_id == principal.user_id and link.present_in == ecosystem:
            self._rooms.tell(ecosystem, Leave(connection))
            link.present_in = None
            self._drop_if_empty(connection, link)

    # -- watching (PRS-1, PRS-4) -----------------------------------------------------------------

    async def subscribe(self, principal: Principal, connection: str, query: PresenceQuery) -> None:
        """Watch an ecosystem through `query`: the room pushes a snapshot to the connection,
        then batched updates."""
        self._check_ecosystem(query.ecosystem)
        viewer = self._person(principal.user_id)
        await self._rooms.ask(query.ecosystem, Subscribe(connection, viewer, query))
        link = self._link(principal.user_id, connection)
        link.watching.add(query.ecosystem)
        link.heard_at = trio.current_time()

    def unsubscribe(self, principal: Principal, connection: str, ecosystem: str) -> None:
        self._check_ecosystem(ecosystem)
        link = self._links.get(connection)
        if link is not None and link.user_id == principal.user_id and ecosystem in link.watching:
            self._rooms.tell(ecosystem, Unsubscribe(connection))
            link.watching.discard(ecosystem)
            self._drop_if_empty(connection, link)

    # -- what other contexts tell presence ------------------------------------------------------

    def forget(self, connection: str) -> None:
        """A socket closed: its rooms keep it until the TTL (a reconnect finds it there)."""
        link = self._links.get(connection)
        if link is not None:
            self._unlink(connection, link)

    async def expel(self, user_id: str, until: str | None) -> None:
        """A ban (identity's `on_ban`): the user is gone from every room at once."""
        self._rooms.tell_occupied(Expel(user_id))
        for connection in list(self._by_user.get(user_id, ())):
            self._unlink(connection, self._links[connection])

    def block_changed(self, a: str, b: str, blocked: bool) -> None:
        """Identity's `on_block`: effective in every room at once, both ways (MOD-2)."""
        self._rooms.tell_occupied(BlocksChanged(a, b, blocked))

    def quarantine_changed(self, user_id: str, shadow: bool) -> None:
        """Identity's `on_shadow_quarantine` (MOD-4)."""
        self._rooms.tell_occupied(QuarantineChanged(user_id, shadow))

    # -- the connections' links -----------------------------------------------------------------

    async def _beat(self, connection: str, link: _Link) -> list[str]:
        """Heartbeat every room the link holds; returns the ecosystems that no longer held it."""
        link.heard_at = trio.current_time()
        lost = []
        for ecosystem in link.rooms():
            if not await self._heartbeats.beat(ecosystem, connection):
                lost.append(ecosystem)
                link.watching.discard(ecosystem)
                if link.present_in == ecosystem:
                    link.present_in = None
        self._drop_if_empty(connection, link)
        return lost

    async def _ask_heartbeats(self, ecosystem: str, heartbeats: Heartbeats) -> frozenset[str]:
        absent: frozenset[str] = await self._rooms.ask(ecosystem, heartbeats)
        return absent

    def _person(self, user_id: str) -> Person:
        view = self._people.user_view(user_id)
        return Person(
            user_id=user_id,
            handle=view.handle,
            shadow_quarantined=view.shadow_quarantine,
            quarantined_new=self._people.is_new(user_id),
            blocked=self._people.blocked_either_way(user_id),
        )

    def _check_ecosystem(self, ecosystem: str) -> None:
        if ecosystem not in self._ecosystems:
            raise UnknownEcosystem(f"No mode is in an ecosystem `{ecosystem}`.", path="ecosystem")

    def _link(self, user_id: str, connection: str) -> _Link:
        now = trio.current_time()
        self._prune(now)
        link = self._links.get(connection)
        if link is not None and link.user_id != user_id:
            self._unlink(connection, link)  # a connection id reused by another sign-in
            link = None
        if link is None:
            http = connection.startswith(HTTP_CONNECTION)
            link = self._links[connection] = _Link(user_id=user_id, http=http, heard_at=now)
            self._by_user.setdefault(user_id, set()).add(connection)
        return link

    def _drop_if_empty(self, connection: str, link: _Link) -> None:
        if link.present_in is None and not link.watching:
            self._unlink(connection, link)

    def _unlink(self, connection: str, link: _Link) -> None:
        del self._links[connection]
        connections = self._by_user[link.user_id]
        connections.discard(connection)
        if not connections:
            del self._by_user[link.user_id]

    def _prune(self, now: float) -> None:
        """Drop HTTP links silent past the TTL (their rooms dropped them too), at most once per
        TTL, so an HTTP client that never comes back costs nothing for long."""
        if now - self._pruned_at < self._ttl_s:
            return
        self._pruned_at = now
        for connection, link in list(self._links.items()):
            if link.http and now - link.heard_at > self._ttl_s:
                self._unlink(connection, link)
