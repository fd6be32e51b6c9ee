"""What the WebSocket client processes of the benchmarks over /ws (chat, presence) share: each is a
trio process driven over a pipe by its benchmark, one command and one reply at a time, holding at
most `ulimit -n` sockets, each opened from the process's own source address and signed in."""

from __future__ import annotations

import os
import resource
from collections.abc import Awaitable
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any
from typing import Generic
from typing import Self
from typing import TypeVar

import trio
from wsproto import ConnectionType
from wsproto import WSConnection
from wsproto.events import AcceptConnection
from wsproto.events import Request
from wsproto.extensions import PerMessageDeflate

DEFLATE = "VVTV_BENCH_DEFLATE"  # set (by a benchmark, before it spawns its clients): offer it


def raise_fd_limit() -> int:
    """As many open files as this process may have (the hard limit; raising it needs root)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class ClientFailed(Exception):
    """A client process's failure, sent back over its pipe instead of a reply."""


async def handshake(port: int, source: str) -> tuple[trio.SocketStream, WSConnection]:
    """A socket from `source` to the server's /ws, its upgrade accepted."""
    sock = trio.socket.socket()
    await sock.bind((source, 0))
    await sock.connect(("127.0.0.1", port))
    stream, conn = trio.SocketStream(sock), WSConnection(ConnectionType.CLIENT)
    # Browsers offer permessage-deflate; a benchmark's clients do when asked to (DEFLATE).
    extensions = [PerMessageDeflate()] if os.environ.get(DEFLATE) else []
    request = Request(host="127.0.0.1", target="/ws", extensions=extensions)
    await stream.send_all(conn.send(request))
    accepted = False
    while not accepted:
        data = await stream.receive_some(1 << 16)
        if not data:
            raise EOFError("connection lost")
        conn.receive_data(data)
        # The server says nothing more before `auth`: no frame can follow the handshake here.
        for event in conn.events():
            accepted = accepted or isinstance(event, AcceptConnection)
    return stream, conn


class SignedInSocket:
    """A client socket of the server's /ws, opened and signed in: what to send and how to read
    what comes back is each benchmark's (`send`, `receive`)."""

    __slots__ = ("conn", "stream")

    def __init__(self, stream: trio.SocketStream, conn: WSConnection) -> None:
        self.stream = stream
        self.conn = conn

    @classmethod
    async def open(cls, port: int, source: str, token: str) -> Self:
        ws = cls(*await handshake(port, source))
        await ws.send({"type": "auth", "access_token": token})
        hello = await ws.receive()
        if b'"auth.ok"' not in (hello if isinstance(hello, bytes) else hello.encode()):
            raise RuntimeError(hello[:200])
        return ws

    async def send(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    async def receive(self) -> str | bytes:
        raise NotImplementedError


W = TypeVar("W")


class SocketClient(Generic[W]):
    """One client process's signed-in sockets, by the benchmark's key for each."""

    def __init__(self, port: int, index: int, open_socket: Callable[[int, str, str], Awaitable[W]]):
        self.port = port
        self.source = f"127.0.0.{2 + index}"  # each process its own source address: ports enough
        self.sockets: dict[int, W] = {}
        self._open_socket = open_socket

    async def open_many(self, tokens: dict[int, str], concurrency: int) -> dict[str, Any]:
        limiter = trio.CapacityLimiter(concurrency)
        failures: list[str] = []

        async def one(key: int, token: str) -> None:
            async with limiter:
                try:
                    self.sockets[key] = await self._open_socket(self.port, self.source, token)
                except (OSError, EOFError, RuntimeError) as error:
                    failures.append(repr(error))

        async with trio.open_nursery() as nursery:
            for key, token in tokens.items():
                nursery.start_soon(one, key, token)
        return {"opened": len(self.sockets), "failures": len(failures), "first": failures[:3]}


Commands = Callable[[str, Any, trio.Nursery], Awaitable[Any]]


def serve_commands(conn: Connection, commands: Callable[[], Commands]) -> None:
    """The client process: `commands()` (made in the process) answers each (command, payload) the
    benchmark sends; the nursery it is given outlives the command (readers, heartbeats)."""
    try:
        trio.run(_serve, conn, commands)
    except BaseException as error:
        conn.send(ClientFailed(repr(error)))  # the server stops instead of waiting for ever
        raise


async def _serve(conn: Connection, commands: Callable[[], Commands]) -> None:
    raise_fd_limit()
    answer = commands()

    def recv() -> Any:
        return conn.recv()

    async with trio.open_nursery() as nursery:
        while True:
            command, payload = await trio.to_thread.run_sync(recv)
            conn.send(await answer(command, payload, nursery))
