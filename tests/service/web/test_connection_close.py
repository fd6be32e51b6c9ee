"""A real `vvtv serve` (hypercorn's trio worker, here in-process) ends its TCP connections: a FIN
right after a response that closes the connection (`Connection: close`, HTTP/1.0), after the
configured keep-alive timeout for an idle keep-alive connection, and right after the close of a
socket that was too slow (4503), even while its peer floods it.

Raw sockets and the real clock: what is checked is the FIN on the wire and when it comes."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import trio
from msgspec.structs import replace
from wsproto import ConnectionType
from wsproto import WSConnection
from wsproto.events import AcceptConnection
from wsproto.events import CloseConnection
from wsproto.events import Request
from wsproto.events import TextMessage

from tests.accounts import PASSWORD
from vvtv.config import ConfigBundle
from vvtv.server import ServeOptions
from vvtv.server import serve
from vvtv.web.sockets import CLOSE_TOO_SLOW

KEEP_ALIVE_S = 1.0  # short, so the idle case takes a second, not hypercorn's default five
FIN_WITHIN_S = 1.0  # after a response that closes the connection
RESPONSE_WITHIN_S = 10.0  # a loaded CI machine answering /healthz


@pytest.fixture
async def port(cheap_config: ConfigBundle, tmp_path: Path) -> AsyncIterator[int]:
    runtime = cheap_config.limits.runtime
    http = replace(runtime.http, keep_alive_s=KEEP_ALIVE_S)
    limits = replace(cheap_config.limits, runtime=replace(runtime, http=http))
    options = ServeOptions(host="127.0.0.1", port=0, data_dir=tmp_path / "var", channel=False)
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        binds = await nursery.start(serve, options, replace(cheap_config, limits=limits), stop)
        yield int(binds[0].rsplit(":", 1)[1])
        stop.set()


async def _response(stream: trio.SocketStream, buffered: bytes = b"") -> tuple[bytes, bytes]:
    """One whole response (`Content-Length` framed), and what came after it."""
    received = buffered
    with trio.fail_after(RESPONSE_WITHIN_S):
        while b"\r\n\r\n" not in received:
            received += await _some(stream)
        head, _, body = received.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(body) < length:
            body += await _some(stream)
    return head + b"\r\n\r\n" + body[:length], body[length:]


async def _some(stream: trio.SocketStream) -> bytes:
    chunk = await stream.receive_some()
    assert chunk, "the server closed the connection before the response was complete"
    return chunk


async def _seconds_until_fin(stream: trio.SocketStream, within_s: float) -> float:
    started = trio.current_time()
    with trio.fail_after(within_s):
        assert await stream.receive_some() == b"", "more data instead of the FIN"
    return trio.current_time() - started


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /healthz HTTP/1.1\r\nHost: vvtv\r\nConnection: close\r\n\r\n",
        b"GET /healthz HTTP/1.0\r\n\r\n",
    ],
    ids=["connection-close", "http-1.0"],
)
async def test_a_response_that_closes_the_connection_is_followed_by_a_fin(
    port: int, request_bytes: bytes
) -> None:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    async with stream:
        await stream.send_all(request_bytes)
        response, extra = await _response(stream)
        assert response.split(b"\r\n", 1)[0].endswith(b"200 "), response
        assert extra == b""
        await _seconds_until_fin(stream, FIN_WITHIN_S)


async def test_an_idle_keep_alive_connection_is_closed_after_the_configured_timeout(
    port: int,
) -> None:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    async with stream:
        extra = b""
        for _ in range(2):  # kept alive: the same connection answers a second request
            await stream.send_all(b"GET /healthz HTTP/1.1\r\nHost: vvtv\r\n\r\n")
            response, extra = await _response(stream, extra)
            assert b"200" in response.split(b"\r\n", 1)[0]
        assert extra == b""
        idle = await _seconds_until_fin(stream, KEEP_ALIVE_S + FIN_WITHIN_S)
        assert idle > KEEP_ALIVE_S / 2, "closed long before the keep-alive timeout"


HEARTBEATS = 10_000  # written at once, nothing read meanwhile: far more acks than the queue holds
FLOOD_WITHIN_S = 10.0  # the server reads on (or closes) while it closes: writing never stalls


@pytest.mark.parametrize("answers_the_close", [True, False], ids=["answers", "silent"])
@pytest.mark.parametrize("receive_buffer", [None, 4096], ids=["default-buffer", "small-buffer"])
async def test_a_socket_closed_as_too_slow_is_closed_on_the_wire_even_while_flooded(
    port: int, cheap_config: ConfigBundle, receive_buffer: int | None, answers_the_close: bool
) -> None:
    """The peer writes 10,000 heartbeats before it reads a thing. It gets 4503 and then a FIN,
    within the close flush, whether it answers the close (as a browser does) or not. Before, the
    server stopped reading, the peer's writes stalled and nothing closed. With a small receive
    buffer the server cannot even deliver the acks it owes until the peer reads."""
    flush_s = cheap_config.limits.auth.socket.close_flush_s
    stream, client = await _signed_in_socket(port, cheap_config, receive_buffer)
    async with stream:
        heartbeat = client.send(TextMessage(data='{"type": "heartbeat"}'))
        with trio.fail_after(FLOOD_WITHIN_S):
            await stream.send_all(heartbeat * HEARTBEATS)
        closes = []
        with trio.fail_after(flush_s + FIN_WITHIN_S):
            while data := await stream.receive_some():
                client.receive_data(data)
                for event in client.events():
                    if isinstance(event, CloseConnection):
                        closes.append(event.code)
                        if answers_the_close:
                            await stream.send_all(client.send(event.response()))
        assert closes == [CLOSE_TOO_SLOW]


async def test_a_peer_that_never_stops_writing_is_cut_off_after_the_close_flush(
    port: int, cheap_config: ConfigBundle
) -> None:
    """It never reads, never answers the close, never stops: the server closes the connection
    anyway (a reset, for what it left unread), and the peer's writes fail instead of stalling."""
    flush_s = cheap_config.limits.auth.socket.close_flush_s
    stream, client = await _signed_in_socket(port, cheap_config, receive_buffer=None)
    async with stream:
        heartbeats = client.send(TextMessage(data='{"type": "heartbeat"}')) * 1000
        with trio.fail_after(FLOOD_WITHIN_S + flush_s), pytest.raises(trio.BrokenResourceError):
            await _write_for_ever(stream, heartbeats)


async def _write_for_ever(stream: trio.SocketStream, data: bytes) -> None:
    while True:
        await stream.send_all(data)


async def _signed_in_socket(
    port: int, config: ConfigBundle, receive_buffer: int | None
) -> tuple[trio.SocketStream, WSConnection]:
    tokens = await _signup(port, config.limits.auth.terms_version)
    raw = trio.socket.socket()
    if receive_buffer is not None:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    await raw.connect(("127.0.0.1", port))
    stream = trio.SocketStream(raw)
    client = WSConnection(ConnectionType.CLIENT)
    await stream.send_all(client.send(Request(host="vvtv", target="/ws")))
    with trio.fail_after(RESPONSE_WITHIN_S):
        while not any(isinstance(e, AcceptConnection) for e in client.events()):
            client.receive_data(await _some(stream))
    hello = {"type": "auth", "access_token": tokens["access_token"]}
    await stream.send_all(client.send(TextMessage(data=json.dumps(hello))))
    return stream, client


async def _signup(port: int, terms_version: str) -> dict[str, str]:
    body = {
        "handle": "flooder",
        "password": PASSWORD,
        "age_confirmed": True,
        "terms_version": terms_version,
    }
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        response = await http.post("/auth/signup", json=body, timeout=RESPONSE_WITHIN_S)
    assert response.status_code == 201, response.text
    tokens: dict[str, str] = response.json()
    return tokens
