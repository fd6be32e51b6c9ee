"""hypercorn's trio worker, with the app's WebSocket upgrades taken at the connection.

`serve` is hypercorn's `worker_serve` (HTTP/1.1 over TCP, which is what `vvtv serve` binds) but
for one step: each new connection's first request head is read before hypercorn sees it. A
WebSocket upgrade to a path the app serves below quart (`WebApp.serve_socket`) is answered here
and served on its stream (`StreamWire`): one task an idle socket, instead of hypercorn's protocol
stack around an ASGI app. Every other connection goes to hypercorn with that head received again.
An upgrade that comes later on a kept-alive connection goes through ASGI, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from collections.abc import Callable
from functools import partial

import trio
from hypercorn.config import Config
from hypercorn.trio.lifespan import Lifespan
from hypercorn.trio.tcp_server import TCPServer
from hypercorn.trio.worker_context import WorkerContext
from hypercorn.typing import ConnectionState
from hypercorn.typing import LifespanState
from hypercorn.utils import repr_socket_addr
from hypercorn.utils import wrap_app

from vvtv.web.asgi import WebApp
from vvtv.web.stream_socket import StreamWire
from vvtv.web.stream_socket import upgrade_request
from vvtv.web.wire import SocketServer

log = logging.getLogger(__name__)

_HEAD_END = b"\r\n\r\n"


class _Replayed:
    """A connection's stream as hypercorn reads it: first the bytes read to route it."""

    __slots__ = ("_head", "_stream")

    def __init__(self, stream: trio.SocketStream, head: bytes) -> None:
        self._stream = stream
        self._head = head

    @property
    def socket(self) -> trio.socket.SocketType:
        return self._stream.socket

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            await trio.lowlevel.checkpoint()
            return head
        return bytes(await self._stream.receive_some(max_bytes))

    async def send_all(self, data: bytes) -> None:
        await self._stream.send_all(data)

    async def send_eof(self) -> None:
        await self._stream.send_eof()

    async def aclose(self) -> None:
        await self._stream.aclose()


async def _read_head(stream: trio.SocketStream, limit: int, within_s: float) -> bytes | None:
    """What the connection sends up to its first request's blank line (and whatever came with
    it), at most `limit` bytes; None if it closes or says nothing within `within_s`."""
    head = b""
    with trio.move_on_after(within_s):
        while _HEAD_END not in head and len(head) < limit:
            data = await stream.receive_some(limit)
            if not data:
                return None
            head += data
        return head
    return None


async def _connection(
    app: WebApp,
    http: Callable[[_Replayed], Awaitable[None]],
    config: Config,
    head_within_s: float,
    max_message_bytes: int,
    stream: trio.SocketStream,
) -> None:
    try:
        head = await _read_head(stream, config.h11_max_incomplete_size, head_within_s)
        if head is not None:
            taken = _taken_socket(app, head, stream, max_message_bytes)
            if taken is None:
                await http(_Replayed(stream, head))
                return
            # What the socket keeps for its life is its wire: not the request it came with.
            del head
            server, wire = taken
            del taken
            try:
                await server(wire)
            finally:
                wire.closed()
    except Exception:
        log.exception("connection failed")
    with trio.CancelScope(shield=True):
        await stream.aclose()


def _taken_socket(
    app: WebApp, head: bytes, stream: trio.SocketStream, max_message_bytes: int
) -> tuple[SocketServer, StreamWire] | None:
    """The server and wire of the socket `head` opens, if the app serves it below quart."""
    upgrade = upgrade_request(head)
    server = None if upgrade is None else app.socket_server(upgrade[1])
    if upgrade is None or server is None:
        return None
    return server, StreamWire(stream, upgrade[0], max_message_bytes)


async def serve(
    app: WebApp,
    config: Config,
    shutdown_trigger: Callable[[], Awaitable[object]],
    *,
    head_within_s: float,
    max_message_bytes: int,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve `app` on `config.bind` until `shutdown_trigger` returns, then finish within
    `config.graceful_timeout` (as `hypercorn.trio.serve`). A new connection says what it asks
    within `head_within_s`; a socket's message is at most `max_message_bytes`."""
    asgi = wrap_app(app, config.wsgi_max_body_size, "asgi")
    lifespan_state: LifespanState = {}
    lifespan = Lifespan(asgi, config, lifespan_state)
    context = WorkerContext(None)
    state = ConnectionState(lifespan_state.copy())
    async with trio.open_nursery() as lifespan_nursery:
        await lifespan_nursery.start(lifespan.handle_lifespan)
        await lifespan.wait_for_startup()
        async with trio.open_nursery() as server_nursery:
            sockets = config.create_sockets()
            listeners = []
            binds = []
            for sock in sockets.insecure_sockets:
                sock.listen(config.backlog)
                listeners.append(trio.SocketListener(trio.socket.from_stdlib_socket(sock)))
                bind = f"http://{repr_socket_addr(sock.family, sock.getsockname())}"
                binds.append(bind)
                await config.log.info(f"Running on {bind} (CTRL + C to quit)")
            task_status.started(binds)
            http = partial(TCPServer, asgi, config, context, state)
            handler = partial(_connection, app, http, config, head_within_s, max_message_bytes)
            try:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(
                        partial(
                            trio.serve_listeners, handler, listeners, handler_nursery=server_nursery
                        )
                    )
                    await shutdown_trigger()
                    nursery.cancel_scope.cancel()
            finally:
                await context.terminated.set()
                server_nursery.cancel_scope.deadline = trio.current_time() + config.graceful_timeout
        await lifespan.wait_for_shutdown()
        lifespan_nursery.cancel_scope.cancel()
