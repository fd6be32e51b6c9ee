"""What an accepted `/ws` keeps under a real `vvtv serve` (hypercorn's trio worker, in-process)
(PRS-4: idle sockets cost little): no compression context, even when the client offers
permessage-deflate as browsers do, and nothing of the upgraded HTTP request (hypercorn's h11
connection). The socket still answers and closes as before."""

from __future__ import annotations

import gc
import json

import h11
import pytest
import trio
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Request, TextMessage
from wsproto.extensions import PerMessageDeflate

from tests.service.web.test_connection_close import (  # noqa: F401  (`port` is a fixture)
    RESPONSE_WITHIN_S,
    _signup,
    _some,
    port,
)
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


async def _open(server_port: int, offer_deflate: bool) -> tuple[_Client, AcceptConnection]:
    stream = await trio.open_tcp_stream("127.0.0.1", server_port)
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
async def test_signed_in_sockets_hold_nothing_of_their_http_request(
    port: int,  # noqa: F811
    cheap_config: ConfigBundle,
) -> None:
    tokens = await _signup(port, cheap_config.limits.auth.terms_version)
    before = _server_h11_connections()
    clients = []
    try:
        for _ in range(SOCKETS):
            client, _accepted = await _open(port, offer_deflate=False)
            clients.append(client)
            await _signed_in(client, tokens["access_token"])
        assert _server_h11_connections() <= before  # (the signup's may have gone meanwhile)
        # Released, the request's parser is not missed: each socket still answers and closes.
        for client in clients:
            await client.send({"type": "heartbeat"})
            assert (await client.receive())["type"] == "heartbeat.ack"
            await _closed_when_asked(client)
    finally:
        for client in clients:
            await client.stream.aclose()
