"""Presence routes (PRS-1..3, OPS-4) and the /ws presence messages, all for signed-in users.

One query, two policies (PRS-3): `GET /presence/party` lists an ecosystem (Party's unless
`ecosystem=` names another) in arrival order; `GET /presence/grid` ranks and filters the same
presence. Both are read-only (OPS-4) and page with the cursor of the page before.

Being present over HTTP: `POST /presence/set` joins with the caller's sign-in as the connection
(one per signed-in browser or device, as its tokens are; `X-Device-Id` binds a token to its
device). Nothing closes an HTTP client, so it stays present only while `POST /presence/heartbeat`
or a `presence.heartbeat` on any socket of the same sign-in comes within `ghost_ttl_s`. On a
socket, each socket is a connection of its own (a tab: OPS-5 counts them as devices); its
`presence.*` messages act on it alone, and closing it leaves nothing at once: the TTL does, so a
reconnect within it keeps the presence id. Success is silent on the socket (the snapshot answers
a subscribe); a refusal is an `error` event with the HTTP code.
"""

from __future__ import annotations

import msgspec
from quart import Blueprint

from vvtv.contracts.events import PresenceHeartbeat
from vvtv.contracts.events import PresenceLeave
from vvtv.contracts.events import PresenceSetFields
from vvtv.contracts.events import PresenceSubscribe
from vvtv.contracts.events import PresenceUnsubscribe
from vvtv.contracts.identity import Empty
from vvtv.contracts.presence import PresenceAlive
from vvtv.contracts.presence import PresenceFilters
from vvtv.contracts.presence import PresenceGridQuery
from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresencePage
from vvtv.contracts.presence import PresencePartyQuery
from vvtv.contracts.presence import PresenceQuery
from vvtv.contracts.presence import PresenceSet
from vvtv.domain.accounts import Principal
from vvtv.presence.service import Presence
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.routing import current_principal
from vvtv.web.sockets import MessageHandler
from vvtv.web.sockets import current_connection


def routes(presence: Presence, guard: Guard) -> Blueprint:
    api = Routes("presence", __name__, guard)

    @api.get("/presence/party", access="user", errors=[503])
    async def presence_party(query: PresencePartyQuery) -> PresencePage:
        """Who is present, in arrival order, without you, hidden members or anyone a block stands
        between you and."""
        return await presence.query(
            current_principal(),
            PresenceQuery(
                ecosystem=query.ecosystem, policy="party", cursor=query.cursor, limit=query.limit
            ),
        )

    @api.get("/presence/grid", access="user", errors=[503])
    async def presence_grid(query: PresenceGridQuery) -> PresencePage:
        """The discovery grid: members sharing more of `tags` first, then cameras on; every
        filter given must hold (`new`: only new accounts; `modes`: a segment)."""
        filters = msgspec.convert(query, PresenceFilters, from_attributes=True)
        return await presence.query(
            current_principal(),
            PresenceQuery(
                ecosystem=query.ecosystem,
                policy="grid",
                filters=filters,
                cursor=query.cursor,
                limit=query.limit,
            ),
        )

    @api.post("/presence/set", access="user", errors=[503])
    async def presence_set(body: PresenceSet) -> PresenceMember:
        """Join the ecosystem of `presence_mode` (leaving the one you were in) or change your
        fields; keep it with `POST /presence/heartbeat` or a socket's `presence.heartbeat`."""
        principal = current_principal()
        return await presence.set(principal, presence.http_connection(principal), body)

    @api.post("/presence/heartbeat", access="user", errors=[404, 503])
    async def presence_heartbeat(body: Empty) -> PresenceAlive:
        """Stay present; 404 `not_present` once you are not (silent past the TTL, or the room
        restarted): set your presence again."""
        return await presence.heartbeat_http(current_principal())

    return api.blueprint


def socket_handlers(presence: Presence) -> dict[type, MessageHandler]:
    """The `presence.*` client messages, each acting on the socket it came on."""

    async def subscribe(principal: Principal, message: PresenceSubscribe) -> None:
        await presence.subscribe(principal, current_connection(), message.query)

    async def unsubscribe(principal: Principal, message: PresenceUnsubscribe) -> None:
        presence.unsubscribe(principal, current_connection(), message.ecosystem)

    async def set_fields(principal: Principal, message: PresenceSetFields) -> None:
        await presence.set(principal, current_connection(), message.fields)

    async def heartbeat(principal: Principal, message: PresenceHeartbeat) -> None:
        await presence.heartbeat_socket(principal, current_connection())

    async def leave(principal: Principal, message: PresenceLeave) -> None:
        presence.leave(principal, current_connection(), message.ecosystem)

    return {
        PresenceSubscribe: subscribe,
        PresenceUnsubscribe: unsubscribe,
        PresenceSetFields: set_fields,
        PresenceHeartbeat: heartbeat,
        PresenceLeave: leave,
    }
