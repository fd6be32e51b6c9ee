"""The client's event socket `/ws`: one per browser tab, authenticated in-band.

Browsers cannot set headers on a WebSocket, so the first message must be `auth` with an access
token (within the configured time). While open, the socket is told `auth.expired` when its token
runs out and may `auth.refresh` without reconnecting (OPS-5); a ban closes it with `banned`.
Errors are `error` events with the same codes as HTTP problem JSON.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Protocol

import trio
from quart import Blueprint, websocket

from vvtv.clock import WallClock
from vvtv.config.schema.limits import SocketAuthLimits
from vvtv.contracts.events import (
    CLIENT_DECODER,
    EVENT_ENCODER,
    Authenticate,
    Authenticated,
    AuthExpired,
    AuthRefresh,
    AuthRefreshed,
    Banned,
    ClientMessage,
    ServerEvent,
)
from vvtv.contracts.identity import Tokens
from vvtv.domain.accounts import Principal
from vvtv.errors import BadRequest, Unauthorized, VvtvError
from vvtv.web.errors import BODY_ERRORS, body_error, error_event
from vvtv.web.routing import ROUTE_SPEC, RouteSpec

log = logging.getLogger(__name__)

# WebSocket close codes (4000-4999 are the application's): mirror HTTP 401 / 403 / 503.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4503

MessageHandler = Callable[[Principal, Any], Awaitable[ServerEvent | None]]
CloseListener = Callable[[str], None]

_CONNECTION: ContextVar[str] = ContextVar("vvtv_socket_connection")
# What runs one client message under a trace: `span(name)` (the product's tracing, TEL-7).
Span = Callable[[str], AbstractContextManager[object]]


@contextmanager
def _untraced(name: str) -> Iterator[None]:
    yield


def current_connection() -> str:
    """The id of the socket whose message a handler is answering: one tab, where `Principal` is
    its user (two tabs of one user may want different things pushed, e.g. two pages of a list)."""
    return _CONNECTION.get()


class SocketAuth(Protocol):
    def authenticate(self, access_token: str, device_id: str | None) -> Principal: ...
    def access_expires_at(self, access_token: str) -> datetime: ...
    async def refresh(self, token: str, device_id: str | None) -> Tokens: ...


class _Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason


class Connection:
    def __init__(self, principal: Principal, outbox_size: int) -> None:
        self.id = uuid.uuid4().hex
        self.principal = principal
        self._outbox, self._queued = trio.open_memory_channel[ServerEvent](outbox_size)
        self.cancel_scope = trio.CancelScope()
        self.close_code: tuple[int, str] | None = None

    def push(self, event: ServerEvent) -> None:
        """Queue an event; a client too slow to drain its queue is disconnected, not waited for."""
        try:
            self._outbox.send_nowait(event)
        except trio.WouldBlock:
            self.close(CLOSE_TOO_SLOW, "too slow")
        except trio.ClosedResourceError:
            pass  # closing: nothing more goes out

    def close(self, code: int, reason: str) -> None:
        self.close_code = (code, reason)
        self.cancel_scope.cancel()

    def stop_queueing(self) -> None:
        """Queue nothing more: `deliver` sends what is already queued, then returns."""
        self._outbox.close()

    async def deliver(self, send: Callable[[ServerEvent], Awaitable[None]]) -> None:
        """Send each queued event, in order, until `stop_queueing` and the queue is empty."""
        async for event in self._queued:
            await send(event)


class SocketHub:
    """Open sockets by user and by id, so any context can push to a user or to one socket, and a
    ban can close a user's."""

    def __init__(
        self,
        auth: SocketAuth,
        limits: SocketAuthLimits,
        clock: WallClock,
        outbox_size: int,
    ) -> None:
        self._auth = auth
        self._limits = limits
        self._clock = clock
        self._outbox_size = outbox_size
        self._by_user: dict[str, set[Connection]] = {}
        self._by_id: dict[str, Connection] = {}
        self._handlers: dict[type, MessageHandler] = {}
        self._close_listeners: list[CloseListener] = []
        self._span: Span = _untraced

    def trace_with(self, span: Span) -> None:
        """Answer each client message under its own trace (`span(name)`, TEL-7)."""
        self._span = span

    def handle(self, message_type: type, handler: MessageHandler) -> None:
        """Let a context answer one client message type; `current_connection()` names the socket."""
        self._handlers[message_type] = handler

    def on_close(self, listener: CloseListener) -> None:
        """Tell `listener` the id of each socket that closes, once it sends and receives no more."""
        self._close_listeners.append(listener)

    def connections(self, user_id: str) -> int:
        return len(self._by_user.get(user_id, ()))

    def connection_ids(self, user_id: str) -> tuple[str, ...]:
        """The ids of a user's open sockets: for a context that must know which sockets an event
        reached (chat sends each message at most once per socket)."""
        return tuple(connection.id for connection in self._by_user.get(user_id, ()))

    def push(self, user_id: str, event: ServerEvent) -> None:
        for connection in list(self._by_user.get(user_id, ())):
            connection.push(event)

    def push_all(self, event: ServerEvent) -> None:
        """Push to every open socket (a notice for everyone signed in)."""
        for connection in list(self._by_id.values()):
            connection.push(event)

    def push_to(self, connection_id: str, event: ServerEvent) -> None:
        """Push to one socket; nothing if it has closed."""
        connection = self._by_id.get(connection_id)
        if connection is not None:
            connection.push(event)

    async def ban(self, user_id: str, until: str | None) -> None:
        event = Banned(until=None if until is None else datetime.fromisoformat(until))
        for connection in list(self._by_user.get(user_id, ())):
            connection.push(event)
            connection.close(CLOSE_FORBIDDEN, "banned")

    async def serve(self) -> None:
        """Run one accepted socket until it closes."""
        await websocket.accept()
        try:
            token, principal = await self._hello()
        except _Closed as closed:
            await websocket.close(closed.code, closed.reason)
            return
        connection = Connection(principal, self._outbox_size)
        self._by_user.setdefault(principal.user_id, set()).add(connection)
        self._by_id[connection.id] = connection
        _CONNECTION.set(connection.id)
        try:
            expires = self._auth.access_expires_at(token)
            connection.push(Authenticated(user_id=principal.user_id, access_expires_at=expires))
            async with trio.open_nursery() as closing:
                async with trio.open_nursery() as writer:
                    writer.start_soon(self._write, connection)
                    with connection.cancel_scope:
                        async with trio.open_nursery() as nursery:
                            expiry = _Expiry(expires)
                            nursery.start_soon(self._watch_expiry, connection, expiry)
                            await self._read(connection, expiry)
                    # From here until the socket ends, what the peer still sends is read and
                    # dropped. Unread, it stalls a peer that writes before it reads (a flood, a
                    # small receive buffer): that peer never reads its last events and its close,
                    # we never finish sending them, and both ends wait on each other for ever.
                    closing.start_soon(_drop_incoming)
                    # The writer delivers what was queued before the close (e.g. `banned`), but
                    # a peer that reads too slowly does not hold the close up. (One that reads
                    # nothing at all once its window is full still does: hypercorn's writes to
                    # the TCP socket cannot be cancelled.)
                    deadline = trio.current_time() + self._limits.close_flush_s
                    connection.stop_queueing()
                    writer.cancel_scope.deadline = deadline
                if connection.close_code is not None:
                    await websocket.close(*connection.close_code)
                # Then the peer's answer to the close ends the socket (quart-trio cancels this
                # handler). Data still unread when the TCP connection closes would turn its FIN
                # into a reset, which can lose the close frame itself, so that answer is waited
                # for, within the same time.
                with trio.move_on_at(deadline):
                    await trio.sleep_forever()
                closing.cancel_scope.cancel()
        finally:
            del self._by_id[connection.id]
            self._by_user[principal.user_id].discard(connection)
            if not self._by_user[principal.user_id]:
                del self._by_user[principal.user_id]
            for listener in self._close_listeners:
                listener(connection.id)

    async def _hello(self) -> tuple[str, Principal]:
        with trio.move_on_after(self._limits.hello_timeout_s):
            message = await self._receive()
            if not isinstance(message, Authenticate):
                await self._send(
                    error_event(Unauthorized("Send `auth` first.", code="unauthenticated"))
                )
                raise _Closed(CLOSE_UNAUTHENTICATED, "unauthenticated")
            try:
                return message.access_token, self._auth.authenticate(
                    message.access_token, message.device_id
                )
            except VvtvError as error:
                await self._send(error_event(error))
                code = CLOSE_FORBIDDEN if error.status == 403 else CLOSE_UNAUTHENTICATED
                raise _Closed(code, error.code) from None
        raise _Closed(CLOSE_UNAUTHENTICATED, "auth timeout")

    async def _receive(self) -> ClientMessage | None:
        """The next client message; None for one that could not be decoded (already answered)."""
        raw = await websocket.receive()
        try:
            return CLIENT_DECODER.decode(raw)
        except BODY_ERRORS as error:
            await self._send(error_event(body_error(error)))
            return None

    async def _read(self, connection: Connection, expiry: _Expiry) -> None:
        while True:
            message = await self._receive()
            if message is None:
                continue
            try:
                with self._span(f"ws {message.__struct_config__.tag}"):
                    reply = await self._answer(connection, expiry, message)
            except Exception as error:
                # One message, one answer, as over HTTP: a failure of ours is a logged 500
                # `error` event, not the socket torn down with 1011. A message the client
                # numbered (`chat.send`'s client_id) gets its number back as `ref`.
                reply = error_event(error, ref=getattr(message, "client_id", None))
            if reply is not None:
                connection.push(reply)

    async def _answer(
        self, connection: Connection, expiry: _Expiry, message: ClientMessage
    ) -> ServerEvent | None:
        if isinstance(message, AuthRefresh):
            tokens = await self._auth.refresh(message.refresh_token, connection.principal.device_id)
            expiry.renew(tokens.access_expires_at)
            return AuthRefreshed(
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                access_expires_at=tokens.access_expires_at,
                refresh_expires_at=tokens.refresh_expires_at,
            )
        if isinstance(message, Authenticate):
            raise BadRequest("This socket is already signed in.", code="already_authenticated")
        if expiry.expired:
            raise Unauthorized("Refresh the token first.", code="token_expired")
        handler = self._handlers.get(type(message))
        if handler is None:
            raise BadRequest(
                f"`{message.__struct_config__.tag}` is not available yet.",
                code="unsupported_message",
            )
        return await handler(connection.principal, message)

    async def _watch_expiry(self, connection: Connection, expiry: _Expiry) -> None:
        while True:
            await trio.sleep(max(0.0, (expiry.at - self._clock()).total_seconds()))
            if (expiry.at - self._clock()).total_seconds() > 0:
                continue  # renewed meanwhile
            expiry.expired = True
            connection.push(AuthExpired())
            with trio.move_on_after(self._limits.refresh_grace_s):
                await expiry.renewed.wait()
                continue
            connection.push(error_event(Unauthorized("The token expired.", code="token_expired")))
            connection.close(CLOSE_UNAUTHENTICATED, "token expired")
            return

    async def _write(self, connection: Connection) -> None:
        await connection.deliver(self._send)

    @staticmethod
    async def _send(event: ServerEvent) -> None:
        await websocket.send(EVENT_ENCODER.encode(event).decode())


async def _drop_incoming() -> None:
    while True:
        await websocket.receive()


class _Expiry:
    def __init__(self, at: datetime) -> None:
        self.at = at
        self.expired = False
        self.renewed = trio.Event()

    def renew(self, at: datetime) -> None:
        self.at = at
        self.expired = False
        self.renewed.set()
        self.renewed = trio.Event()


def socket_route(blueprint: Blueprint, rule: str, hub: SocketHub) -> None:
    """Declare the socket (INV-9 / AUTH-3): signed-in users only, authenticated in-band."""
    spec = RouteSpec(
        method="WS", rule=rule, access="user", response=ServerEvent, status=101,
        body=ClientMessage, query=None, errors=(),
    )  # fmt: skip

    async def events() -> None:
        await hub.serve()

    setattr(events, ROUTE_SPEC, spec)
    blueprint.add_websocket(rule, endpoint="events", view_func=events)
