"""What an accepted `/ws` keeps under a real `vvtv serve` (in-process) (PRS-4: idle sockets cost
little): one task, no compression context, even when the client offers permessage-deflate as
browsers do, and nothing of the upgraded HTTP request (its h11 parser). The socket still answers
and closes as before, and an upgrade on a kept-alive connection (hypercorn's, over ASGI) too."""

from __future__ import annotations

import gc
import json

import h11
import pytest
import trio
import trio.testing
from wsproto import ConnectionType
from wsproto import WSConnection
from wsproto.events import AcceptConnection
from wsproto.events import CloseConnection
from wsproto.events import Request
from wsproto.events import TextMessage
from wsproto.extensions import PerMessageDeflate

from tests.service.web.test_connection_close import RESPONSE_WITHIN_S
from tests.service.web.test_connection_close import _response
from tests.service.web.test_connection_close import _signup
from tests.service.web.test_connection_close import _some
from tests.service.web.test_connection_close import port  # noqa: F401  (`port` is a fixture)
from vvtv.config import ConfigBundle

SOCKETS = 3


class _Client:
    def __init__(self, stream: trio.SocketStream, ws: WSConnection) -> None:
        self.stream = stream
        self.ws = ws
        self.events: list[object] = []

    async def send(self, message: dict[str, str]) -> None:
        await self.stream.send_all(self.ws.send(TextMessage(data=json.dumps(message))))

    async def next_event(self) -> object:
        with trio.fail_after(RESPONSE_WITHIN_S):
            while not self.events:
                self.ws.receive_data(await _some(self.stream))
                self.events.extend(self.ws.events())
        return self.events.pop(0)

    async def receive(self) -> dict[str, object]:
        event = await self.next_event()
        assert isinstance(event, TextMessage), event
        message: dict[str, object] = json.loads(event.data)
        return message


async def _open(
    server_port: int, offer_deflate: bool, stream: trio.SocketStream | None = None
) -> tuple[_Client, AcceptConnection]:
    """A socket opened on a new connection, or on `stream` (kept alive after a request)."""
    stream = stream or await trio.open_tcp_stream("127.0.0.1", server_port)
    client = _Client(stream, WSConnection(ConnectionType.CLIENT))
    extensions = [PerMessageDeflate()] if offer_deflate else []
    await stream.send_all(client.ws.send(Request(host="vvtv", target="/ws", extensions=extensions)))
    accepted = await client.next_event()
    assert isinstance(accepted, AcceptConnection), accepted
    return client, accepted


async def _signed_in(client: _Client, access_token: str) -> None:
    await client.send({"type": "auth", "access_token": access_token})
    assert (await client.receive())["type"] == "auth.ok"
    await client.send({"type": "heartbeat"})
    assert (await client.receive())["type"] == "heartbeat.ack"


async def _closed_when_asked(client: _Client) -> None:
    await client.stream.send_all(client.ws.send(CloseConnection(code=1000)))
    closed = await client.next_event()
    assert isinstance(closed, CloseConnection)
    assert closed.code == 1000


def _server_h11_connections() -> int:
    gc.unfreeze()  # the server's FrozenHeap hides what it froze from `gc.get_objects`
    gc.collect()
    # The server's: the clients' wsproto keeps its own.
    return sum(isinstance(o, h11.Connection) and o.our_role is h11.SERVER for o in gc.get_objects())


@pytest.mark.req("PRS-4")
async def test_a_socket_offered_compression_is_accepted_without_it_and_answers(
    port: int,  # noqa: F811
    cheap_config: ConfigBundle,
) -> None:
    tokens = await _signup(port, cheap_config.limits.auth.terms_version)
    client, accepted = await _open(port, offer_deflate=True)
    async with client.stream:
        assert accepted.extensions == []
        await _signed_in(client, tokens["access_token"])
        await _closed_when_asked(client)


@pytest.mark.req("PRS-4")
async def test_signed_in_sockets_are_one_task_each_and_hold_nothing_of_their_http_request(
    port: int,  # noqa: F811
    cheap_config: ConfigBundle,
) -> None:
    """An idle socket is its reader: no task of hypercorn's per connection, no writer while
    nothing waits, and no h11 parser of the request it came with."""
    tokens = await _signup(port, cheap_config.limits.auth.terms_version)
    await trio.testing.wait_all_tasks_blocked(cushion=0.1)  # the signup's connection is gone
    tasks = trio.lowlevel.current_statistics().tasks_living
    parsers = _server_h11_connections()
    clients = []
    try:
        for _ in range(SOCKETS):
            client, _accepted = await _open(port, offer_deflate=False)
            clients.append(client)
            await _signed_in(client, tokens["access_token"])
        await trio.testing.wait_all_tasks_blocked(cushion=0.1)
        assert trio.lowlevel.current_statistics().tasks_living - tasks == SOCKETS
        assert _server_h11_connections() <= parsers
        # Without them, each socket still answers and closes.
        for client in clients:
            await client.send({"type": "heartbeat"})
            assert (await client.receive())["type"] == "heartbeat.ack"
            await _closed_when_asked(client)
    finally:
        for client in clients:
            await client.stream.aclose()


async def test_an_upgrade_on_a_kept_alive_connection_is_served_too(
    port: int,  # noqa: F811
    cheap_config: ConfigBundle,
) -> None:
    """The listener takes an upgrade only as a connection's first request; a later one goes to
    hypercorn, and from there to the same socket server."""
    tokens = await _signup(port, cheap_config.limits.auth.terms_version)
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    async with stream:
        await stream.send_all(b"GET /healthz HTTP/1.1\r\nHost: vvtv\r\n\r\n")
        response, extra = await _response(stream)
        assert b"200" in response.split(b"\r\n", 1)[0]
        assert extra == b""
        client, accepted = await _open(port, offer_deflate=False, stream=stream)
        assert accepted.extensions == []
        await _signed_in(client, tokens["access_token"])
        await _closed_when_asked(client)


@pytest.mark.parametrize(
    ("first_bytes", "status"),
    [
        (b"\x16\x03\x01 not http\r\n\r\n", b"400"),
        (b"A" * 20_000, b"431"),  # a head longer than hypercorn's bound, never ended
        (
            b"GET /ws HTTP/1.1\r\nHost: vvtv\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
            b"400",
        ),
    ],
    ids=["not-http", "endless-head", "upgrade-without-key"],
)
async def test_what_the_listener_does_not_take_is_answered_by_hypercorn(
    port: int,  # noqa: F811
    first_bytes: bytes,
    status: bytes,
) -> None:
    """A connection's first bytes that are no WebSocket handshake wsproto accepts are hypercorn's
    to answer, as if the listener had never read them."""
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    async with stream:
        await stream.send_all(first_bytes)
        response, _extra = await _response(stream)
        assert response.split(b"\r\n", 1)[0] == b"HTTP/1.1 " + status + b" "
