"""`WebApp`: QuartTrio whose connections end when they should under hypercorn's trio worker.

hypercorn finishes a connection inside the app's own ASGI calls and expects the app to go on
taking its events: the last `send` of a response tells the app `http.disconnect`, then closes or
recycles the TCP connection; after a socket's handler has returned, hypercorn still puts
`websocket.disconnect` (and whatever else it read) on the app's small bounded queue, with a
blocking put, before it closes the TCP connection. quart-trio expects neither, so a completed
response or a closed socket could leave its connection open for ever.

A socket declared with `serve_socket` is served below quart: on its own TCP stream when the
listener takes its upgrade (`listener.py`), else (an upgrade on a kept-alive connection, the test
client) straight from its ASGI calls, without quart's websocket machinery (a request context, a
queue and two more tasks per socket); `AsgiWire` is such a socket's ASGI calls as text in and out.
Once it has accepted, it lets go of what hypercorn kept of the upgraded HTTP request.
"""

from __future__ import annotations

from typing import Any

import trio
from hypercorn.protocol.h11 import H11Protocol
from hypercorn.protocol.h11 import H11WSConnection
from hypercorn.protocol.ws_stream import Handshake
from hypercorn.protocol.ws_stream import WSStream
from hypercorn.typing import ASGIReceiveCallable
from hypercorn.typing import ASGIReceiveEvent
from hypercorn.typing import ASGISendCallable
from hypercorn.typing import ASGISendEvent
from hypercorn.typing import Scope
from hypercorn.typing import WebsocketAcceptEvent
from hypercorn.typing import WebsocketCloseEvent
from hypercorn.typing import WebsocketSendEvent
from quart_trio import QuartTrio
from quart_trio.asgi import TrioASGIHTTPConnection
from quart_trio.asgi import TrioASGIWebsocketConnection

from vvtv.web.wire import SocketServer


class _HTTPConnection(TrioASGIHTTPConnection):
    async def __call__(self, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        await super().__call__(receive, _final_body_shielded(send))


def _final_body_shielded(send: ASGISendCallable) -> ASGISendCallable:
    async def sending(message: ASGISendEvent) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            # Within this call hypercorn ends the response and tells the app `http.disconnect`;
            # quart-trio cancels the request's tasks on that, while this same call goes on to
            # send the FIN (`Connection: close`, HTTP/1.0) or to start the keep-alive timer.
            # Cancelled there, the connection was never closed: no FIN, the fd held for ever.
            with trio.CancelScope(shield=True):
                await send(message)
        else:
            await send(message)

    return sending


class _WebsocketConnection(TrioASGIWebsocketConnection):
    app: WebApp

    async def __call__(self, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        disconnected = False

        async def receiving() -> ASGIReceiveEvent:
            nonlocal disconnected
            event = await receive()
            disconnected = disconnected or event["type"] == "websocket.disconnect"
            return event

        await super().__call__(receiving, send)
        if not disconnected:
            self.app.drop_late_events(receive)


async def _drop_events(receive: ASGIReceiveCallable, linger_s: float) -> None:
    with trio.move_on_after(linger_s):
        while True:
            await receive()


class WebApp(QuartTrio):
    """`socket_linger_s`: how long a closed socket's late events are still taken (and dropped);
    required by an app that serves sockets."""

    asgi_http_class = _HTTPConnection
    asgi_websocket_class = _WebsocketConnection

    def __init__(
        self, import_name: str, *, socket_linger_s: float | None = None, **options: Any
    ) -> None:
        super().__init__(import_name, **options)
        self._socket_linger_s = socket_linger_s
        self._sockets: dict[str, SocketServer] = {}

    def serve_socket(self, path: str, server: SocketServer) -> None:
        """Serve the WebSocket at `path` with `server(wire)`, below quart (which still declares
        the route)."""
        self._sockets[path] = server

    def socket_server(self, path: str) -> SocketServer | None:
        return self._sockets.get(path)

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        server = self._sockets.get(scope["path"]) if scope["type"] == "websocket" else None
        if server is None:
            await super().__call__(scope, receive, send)
        elif not await server(AsgiWire(receive, send)):
            self.drop_late_events(receive)

    def drop_late_events(self, receive: ASGIReceiveCallable) -> None:
        """A socket's handler returned before its peer's disconnect: take hypercorn's events."""
        nursery = getattr(self, "nursery", None)  # set by the lifespan, i.e. when served
        if nursery is not None:
            # Once the handler has returned, nobody takes hypercorn's events, yet it still puts
            # them: the `websocket.disconnect` with which it starts closing the TCP connection,
            # and the rest of what it had read of a flood. Left untaken, a full queue blocks
            # that put for ever (no FIN, an fd and two tasks leaked), so they are taken here,
            # and dropped, for as long as a closed socket lingers.
            nursery.start_soon(_drop_events, receive, self.socket_linger_s)

    @property
    def socket_linger_s(self) -> float:
        if self._socket_linger_s is None:
            raise RuntimeError(f"{self.name} serves a socket but has no socket_linger_s")
        return self._socket_linger_s


class AsgiWire:
    """One socket's ASGI calls as text in and out (a `Wire`)."""

    __slots__ = ("_receive", "_send", "disconnected")

    def __init__(self, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        self._receive = receive
        self._send = send
        self.disconnected = False

    async def receive(self) -> str | bytes | None:
        """The next message's text (or bytes, from a binary frame); None once the peer is gone."""
        while not self.disconnected:
            event: Any = await self._receive()
            if event["type"] == "websocket.receive":
                text: str | None = event.get("text")
                return text if text is not None else event.get("bytes") or b""
            if event["type"] == "websocket.disconnect":
                self.disconnected = True
        return None

    async def accept(self, *, compress: bool) -> None:
        """Accept the socket; `compress`: take permessage-deflate if the client offers it."""
        if not compress:
            decline_compression(self._send)
        await self._send(
            WebsocketAcceptEvent(type="websocket.accept", subprotocol=None, headers=())
        )
        release_upgrade(self._send)

    def send_nowait(self, text: str) -> bool:
        return False  # an ASGI send is a call to await

    @property
    def unsent(self) -> bool:
        return False

    async def flush(self) -> None:
        pass

    async def send(self, text: str) -> None:
        if not self.disconnected:  # nobody to send to
            await self._send(WebsocketSendEvent(type="websocket.send", bytes=None, text=text))

    async def close(self, code: int, reason: str) -> None:
        if not self.disconnected:
            await self._send(WebsocketCloseEvent(type="websocket.close", code=code, reason=reason))


# What hypercorn's socket streams hold as their handshake once it is done: only `accepted` is read.
_ACCEPTED = Handshake([], "1.1")
_ACCEPTED.accepted = True


def decline_compression(send: ASGISendCallable) -> None:
    """Accept no extension the client offers (permessage-deflate is the only one hypercorn
    knows): its zlib contexts would stay with the socket for as long as it lives. To be called
    before the accept; `send` as for `release_upgrade`."""
    stream = getattr(send, "__self__", None)
    if isinstance(stream, WSStream) and not stream.handshake.accepted:
        stream.handshake.extensions = None


def release_upgrade(send: ASGISendCallable) -> None:
    """Let go of what hypercorn keeps of an accepted socket's HTTP request for as long as the
    socket lives: the request's h11 connection (its parser and state machine), the handshake's
    parsed headers and the scope's copy of them, about 2 KiB an idle socket (more for a browser's
    headers). From the accept on, hypercorn 0.18 uses none of them over HTTP/1.1: frames pass
    through as bytes, and the headers served only to answer the handshake and to log it.

    `send` is hypercorn's `WSStream.app_send`, the way to its stream and connection; served
    otherwise (HTTP/2, another server, the test client), nothing is released."""
    stream = getattr(send, "__self__", None)
    if not isinstance(stream, WSStream) or not stream.handshake.accepted:
        return
    stream.handshake = _ACCEPTED
    stream.scope["headers"] = []  # the app's scope, too: the socket's server never reads it
    protocol = getattr(stream.send, "__self__", None)
    if isinstance(protocol, H11Protocol) and isinstance(protocol.connection, H11WSConnection):
        del protocol.connection.h11_connection  # only ever used to send the handshake's answer
