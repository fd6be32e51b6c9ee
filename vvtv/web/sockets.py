"""The client's event socket `/ws`: one per browser tab, authenticated in-band.

Browsers cannot set headers on a WebSocket, so the first message must be `auth` with an access
token (within the configured time). While open, the socket is told `auth.expired` when its token
runs out and may `auth.refresh` without reconnecting (OPS-5); a ban closes it with `banned`.
Errors are `error` events with the same codes as HTTP problem JSON.

`WebApp` hands the socket's wire (its own TCP stream, or its ASGI calls) straight to
`SocketHub.serve`, below quart: an idle socket costs one task (it waits for its next message) and
a few small objects. An event goes out at once when the wire can take it without waiting; a
writer task exists only while events wait to go out, and one timer serves every socket's token
expiry.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import AbstractContextManager
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any
from typing import Protocol
from typing import cast

import trio
from quart import Blueprint

from vvtv.actors.wakes import Wakes
from vvtv.clock import WallClock
from vvtv.config.schema.limits import SocketAuthLimits
from vvtv.contracts.events import CLIENT_DECODER
from vvtv.contracts.events import EVENT_ENCODER
from vvtv.contracts.events import Authenticate
from vvtv.contracts.events import Authenticated
from vvtv.contracts.events import AuthExpired
from vvtv.contracts.events import AuthRefresh
from vvtv.contracts.events import AuthRefreshed
from vvtv.contracts.events import Banned
from vvtv.contracts.events import ClientMessage
from vvtv.contracts.events import ErrorEvent
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.identity import Tokens
from vvtv.domain.accounts import Principal
from vvtv.errors import BadRequest
from vvtv.errors import Unauthorized
from vvtv.errors import VvtvError
from vvtv.web.asgi import WebApp
from vvtv.web.errors import BODY_ERRORS
from vvtv.web.errors import body_error
from vvtv.web.errors import error_event
from vvtv.web.routing import ROUTE_SPEC
from vvtv.web.routing import RouteSpec
from vvtv.web.wire import Wire

log = logging.getLogger(__name__)

# WebSocket close codes (4000-4999 are the application's): mirror HTTP 401 / 403 / 503.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4503
CLOSE_INTERNAL = 1011  # RFC 6455: the server hit an unexpected condition

MessageHandler = Callable[[Principal, Any], Awaitable[ServerEvent | None]]
CloseListener = Callable[[str], None]
Spawn = Callable[[Callable[[trio.CancelScope], Awaitable[None]], trio.CancelScope], None]

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
    """One signed-in socket: its user, the events waiting to go out, and how it ends."""

    __slots__ = (
        "_close_queued",
        "_closed_on_wire",
        "_outbox",
        "_outbox_size",
        "_queueing",
        "_spawn",
        "_wire",
        "_writer",
        "_written",
        "answering",
        "close_code",
        "expired",
        "expires_at",
        "id",
        "principal",
    )

    def __init__(
        self,
        principal: Principal,
        expires_at: datetime,
        outbox_size: int,
        wire: Wire,
        spawn: Spawn,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.principal = principal
        self.expires_at = expires_at  # the access token's
        self.expired = False  # told `auth.expired`, not refreshed yet
        self.close_code: tuple[int, str] | None = None
        self._outbox_size = outbox_size
        self._outbox: deque[str] | None = None  # made when something waits, dropped after
        self._wire = wire
        self._spawn = spawn
        self._writer: trio.CancelScope | None = None  # while a writer task runs
        self._written: trio.Event | None = None  # set when it ends, for whoever waits for that
        self._queueing = True
        self._close_queued = False
        self._closed_on_wire = False
        # The wait for the next message and its answer, which `close` cancels.
        self.answering: trio.CancelScope | None = None

    def push(self, text: str) -> None:
        """Send an encoded event, or queue it while others wait; a client too slow to drain its
        queue is disconnected, not waited for."""
        if not self._queueing:
            return  # closing: nothing more goes out
        if self._writer is None and self._wire.send_nowait(text):
            if self._wire.unsent:
                self._write_soon()
            return
        outbox = self._outbox
        if outbox is None:
            outbox = self._outbox = deque()
        elif len(outbox) >= self._outbox_size:
            self.close(CLOSE_TOO_SLOW, "too slow")
            return
        outbox.append(text)
        self._write_soon()

    def close(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code = (code, reason)
        if self.answering is not None:
            self.answering.cancel()

    def finish(self) -> None:
        """Queue nothing more: the writer sends what is queued, then the close (if one was asked
        for and the peer is still there)."""
        self._queueing = False
        if self.close_code is not None and not self._wire.disconnected:
            self._close_queued = True
            self._write_soon()

    async def flush(self, deadline: float) -> None:
        """Wait until the writer has sent what was queued, and the close, or until `deadline`;
        then send the close if the writer did not get to it and there is time left (a peer that
        has not taken its events by then would not take the close either: it is cut off)."""
        if self._writer is not None:
            self._writer.deadline = deadline
            self._written = trio.Event()
            await self._written.wait()
        if self._close_queued and not self._closed_on_wire and not self._wire.disconnected:
            assert self.close_code is not None
            self._closed_on_wire = True
            with trio.move_on_at(deadline):
                await self._wire.close(*self.close_code)

    def abandon(self) -> None:
        """The socket's task is gone (cancelled): its writer goes too."""
        self._queueing = False
        if self._writer is not None:
            self._writer.cancel()

    def _write_soon(self) -> None:
        if self._writer is None:
            self._writer = trio.CancelScope()
            self._spawn(self._write, self._writer)

    async def _write(self, scope: trio.CancelScope) -> None:
        with scope:
            try:
                await self._wire.flush()
                while self._outbox:
                    await self._wire.send(self._outbox.popleft())
                self._outbox = None
                if self._close_queued and not self._closed_on_wire:
                    assert self.close_code is not None
                    self._closed_on_wire = True
                    await self._wire.close(*self.close_code)
            except Exception:
                # The hub's other writers go on; this socket cannot, so it ends.
                log.exception("socket %s: sending failed", self.id)
                self.close(CLOSE_INTERNAL, "internal error")
        self._writer = None
        if self._written is not None:
            self._written.set()


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
        # Tuples, not sets: most users have one socket, and an empty set alone is 216 bytes.
        self._by_user: dict[str, tuple[Connection, ...]] = {}
        self._by_id: dict[str, Connection] = {}
        self._handlers: dict[type, MessageHandler] = {}
        self._close_listeners: list[CloseListener] = []
        self._writers: trio.Nursery | None = None
        # By connection id: a stale entry holds an id, not a closed socket, until it surfaces.
        self._expiries = Wakes(self._expiry_due)
        self._span: Span = _untraced
        self._last_encoded: tuple[ServerEvent, str] | None = None  # events are immutable

    async def run(self) -> None:
        """Host the sockets' writers and run their expiry timer until cancelled
        (`open_running`): a socket has a writer task only while events wait to go out, and no
        nursery or timer of its own."""
        async with trio.open_nursery() as self._writers:
            await self._expiries.run()

    def trace_with(self, span: Span) -> None:
        """Answer each client message under its own trace (`span(name)`, TEL-7)."""
        self._span = span

    def handle(self, handlers: Mapping[type, MessageHandler]) -> None:
        """Let a context answer its client message types (its api's `socket_handlers`);
        `current_connection()` names the socket."""
        self._handlers.update(handlers)

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
        for connection in self._by_user.get(user_id, ()):
            connection.push(self._encode(event))

    def push_all(self, event: ServerEvent) -> None:
        """Push to every open socket (a notice for everyone signed in)."""
        text = self._encode(event)
        for connection in list(self._by_id.values()):
            connection.push(text)

    def push_to(self, connection_id: str, event: ServerEvent) -> None:
        """Push to one socket; nothing if it has closed. The same event object pushed to many
        sockets in a row (a page many watchers share, a message to a room) is encoded once."""
        connection = self._by_id.get(connection_id)
        if connection is not None:
            connection.push(self._encode(event))

    async def ban(self, user_id: str, until: str | None) -> None:
        event = Banned(until=None if until is None else datetime.fromisoformat(until))
        for connection in self._by_user.get(user_id, ()):
            connection.push(self._encode(event))
            connection.close(CLOSE_FORBIDDEN, "banned")

    def _encode(self, event: ServerEvent) -> str:
        last = self._last_encoded
        if last is not None and last[0] is event:
            return last[1]
        text = EVENT_ENCODER.encode(event).decode()
        self._last_encoded = (event, text)
        return text

    async def serve(self, wire: Wire) -> bool:
        """Run one socket until it closes; whether its peer's disconnect came."""
        await wire.accept(compress=self._limits.permessage_deflate)
        try:
            principal, expires = await self._hello(wire)
        except _Closed as closed:
            with trio.move_on_after(self._limits.close_flush_s):  # a peer that reads nothing
                await wire.close(closed.code, closed.reason)
            return wire.disconnected
        connection = Connection(principal, expires, self._outbox_size, wire, self._spawn_writer)
        self._by_user[principal.user_id] = (*self._by_user.get(principal.user_id, ()), connection)
        self._by_id[connection.id] = connection
        try:
            self._expire_at(connection, expires)
            authenticated = Authenticated(user_id=principal.user_id, access_expires_at=expires)
            connection.push(self._encode(authenticated))
            await self._read(connection, wire)
            # The writer delivers what was queued before the close (e.g. `banned`) and the
            # close, then the peer's answer to it ends the socket: data still unread when the TCP
            # connection closes would turn its FIN into a reset, which can lose the close frame
            # itself. A peer that reads or answers too slowly holds neither up for longer than
            # close_flush_s. (One that reads nothing at all once its window is full still does:
            # hypercorn's writes to the TCP socket cannot be cancelled.)
            connection.finish()
            deadline = trio.current_time() + self._limits.close_flush_s
            with trio.move_on_at(deadline):
                # Unread, what the peer still sends stalls a peer that writes before it reads (a
                # flood, a small receive buffer): it never reads its last events and its close,
                # they are never sent, and both ends wait on each other for ever.
                while await wire.receive() is not None:
                    pass
            await connection.flush(deadline)
        finally:
            connection.abandon()
            self._expiries.set(connection.id, None)
            del self._by_id[connection.id]
            others = tuple(c for c in self._by_user[principal.user_id] if c is not connection)
            if others:
                self._by_user[principal.user_id] = others
            else:
                del self._by_user[principal.user_id]
            for listener in self._close_listeners:
                listener(connection.id)
        return wire.disconnected

    def _spawn_writer(
        self, write: Callable[[trio.CancelScope], Awaitable[None]], scope: trio.CancelScope
    ) -> None:
        if self._writers is None:
            raise RuntimeError("SocketHub.run() is not running: sockets cannot write")
        self._writers.start_soon(write, scope)

    async def _hello(self, wire: Wire) -> tuple[Principal, datetime]:
        with trio.move_on_after(self._limits.hello_timeout_s):
            message = _decode(await wire.receive())
            if isinstance(message, ErrorEvent):
                await wire.send(self._encode(message))
                message = None
            if not isinstance(message, Authenticate):
                first = error_event(Unauthorized("Send `auth` first.", code="unauthenticated"))
                await wire.send(self._encode(first))
                raise _Closed(CLOSE_UNAUTHENTICATED, "unauthenticated")
            try:
                principal = self._auth.authenticate(message.access_token, message.device_id)
                return principal, self._auth.access_expires_at(message.access_token)
            except VvtvError as error:
                await wire.send(self._encode(error_event(error)))
                code = CLOSE_FORBIDDEN if error.status == 403 else CLOSE_UNAUTHENTICATED
                raise _Closed(code, error.code) from None
        raise _Closed(CLOSE_UNAUTHENTICATED, "auth timeout")

    async def _read(self, connection: Connection, wire: Wire) -> None:
        """Answer the socket's messages until it closes (from either end)."""
        while connection.close_code is None:
            with trio.CancelScope() as answering:
                connection.answering = answering
                raw = await wire.receive()
                if raw is None:
                    return
                message = _decode(raw)
                if isinstance(message, ErrorEvent):
                    connection.push(self._encode(message))
                elif message is not None:
                    await self._answer(connection, message)
            connection.answering = None

    async def _answer(self, connection: Connection, message: ClientMessage) -> None:
        # Set for the answer only: set for the socket's life, it would hold a context of its own.
        named = _CONNECTION.set(connection.id)
        try:
            with self._span(f"ws {message.__struct_config__.tag}"):
                reply = await self._reply(connection, message)
        except Exception as error:
            # One message, one answer, as over HTTP: a failure of ours is a logged 500 `error`
            # event, not the socket torn down with 1011. A message the client numbered
            # (`chat.send`'s client_id) gets its number back as `ref`.
            reply = error_event(error, ref=getattr(message, "client_id", None))
        finally:
            _CONNECTION.reset(named)
        if reply is not None:
            connection.push(self._encode(reply))

    async def _reply(self, connection: Connection, message: ClientMessage) -> ServerEvent | None:
        if isinstance(message, AuthRefresh):
            tokens = await self._auth.refresh(message.refresh_token, connection.principal.device_id)
            connection.expired = False
            self._expire_at(connection, tokens.access_expires_at)
            return AuthRefreshed(
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                access_expires_at=tokens.access_expires_at,
                refresh_expires_at=tokens.refresh_expires_at,
            )
        if isinstance(message, Authenticate):
            raise BadRequest("This socket is already signed in.", code="already_authenticated")
        if connection.expired:
            raise Unauthorized("Refresh the token first.", code="token_expired")
        handler = self._handlers.get(type(message))
        if handler is None:
            raise BadRequest(
                f"`{message.__struct_config__.tag}` is not available yet.",
                code="unsupported_message",
            )
        return await handler(connection.principal, message)

    def _expire_at(self, connection: Connection, expires_at: datetime) -> None:
        connection.expires_at = expires_at
        left = (expires_at - self._clock()).total_seconds()
        self._expiries.set(connection.id, trio.current_time() + max(0.0, left))

    def _expiry_due(self, key: Hashable) -> float | None:
        """A socket's token ran out: say so, and close the socket unless it is refreshed within
        the grace; when to look at it again."""
        connection = self._by_id.get(cast(str, key))
        if connection is None or connection.close_code is not None:
            return None
        if connection.expired:
            expired = error_event(Unauthorized("The token expired.", code="token_expired"))
            connection.push(self._encode(expired))
            connection.close(CLOSE_UNAUTHENTICATED, "token expired")
            return None
        left = (connection.expires_at - self._clock()).total_seconds()
        if left > 0:  # the wall clock and trio's drifted apart: not yet
            return trio.current_time() + left
        connection.expired = True
        connection.push(self._encode(AuthExpired()))
        return trio.current_time() + self._limits.refresh_grace_s


def _decode(raw: str | bytes | None) -> ClientMessage | ErrorEvent | None:
    """The client message in `raw`, or the `error` that answers it; None for no message."""
    if raw is None:
        return None
    try:
        return CLIENT_DECODER.decode(raw)
    except BODY_ERRORS as error:
        return error_event(body_error(error))


def socket_route(blueprint: Blueprint, rule: str, hub: SocketHub) -> None:
    """Declare the socket (INV-9 / AUTH-3): signed-in users only, authenticated in-band. The app
    (a `WebApp`) serves it with `hub.serve`, below quart."""
    spec = RouteSpec(
        method="WS", rule=rule, access="user", response=ServerEvent, status=101,
        body=ClientMessage, query=None, errors=(),
    )  # fmt: skip

    async def events() -> None:
        raise RuntimeError(f"{rule} is served by WebApp, below quart")

    setattr(events, ROUTE_SPEC, spec)
    blueprint.add_websocket(rule, endpoint="events", view_func=events)
    blueprint.record_once(lambda state: cast(WebApp, state.app).serve_socket(rule, hub.serve))
