"""A real `vvtv serve` (hypercorn's trio worker, here in-process) ends its TCP connections: a FIN
right after a response that closes the connection (`Connection: close`, HTTP/1.0), and after the
configured keep-alive timeout for an idle keep-alive connection.

Raw sockets and the real clock: what is checked is the FIN on the wire and when it comes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio
from msgspec.structs import replace

from vvtv.config import ConfigBundle
from vvtv.server import ServeOptions, serve

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
