"""`StreamWire` on a real TCP connection (a loopback socket pair, wsproto as the client) (PRS-4):
an event the kernel takes only in part goes out whole, in order, once the peer reads; while a
part waits, nothing else jumps it; a message arrives whole however it was framed; a ping is
answered; one larger than the bound closes the socket with 1009."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import trio
from wsproto import ConnectionType
from wsproto import WSConnection
from wsproto.events import AcceptConnection
from wsproto.events import CloseConnection
from wsproto.events import Ping
from wsproto.events import Pong
from wsproto.events import Request
from wsproto.events import TextMessage
from wsproto.frame_protocol import CloseReason

from vvtv.web.stream_socket import StreamWire
from vvtv.web.stream_socket import upgrade_request

pytestmark = pytest.mark.req("PRS-4")

MAX_MESSAGE_BYTES = 4096
SMALL_BUFFER = 4096
WITHIN_S = 10.0


class _Peer:
    """The browser's end: wsproto over the other socket of the pair."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.events: list[object] = []

    async def send(self, event: object) -> None:
        await self.stream.send_all(self.ws.send(event))  # type: ignore[arg-type]

    async def next_event(self) -> object:
        with trio.fail_after(WITHIN_S):
            while not self.events:
                data = await self.stream.receive_some(SMALL_BUFFER)
                assert data, "closed"
                self.ws.receive_data(data)
                self.events.extend(self.ws.events())
        return self.events.pop(0)


@asynccontextmanager
async def _accepted() -> AsyncIterator[tuple[StreamWire, _Peer]]:
    left, right = trio.socket.socketpair()
    # Small buffers both ways: a large event cannot be taken by the kernel at once.
    left.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_BUFFER)
    right.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_BUFFER)
    server_stream, client_stream = trio.SocketStream(left), trio.SocketStream(right)
    async with server_stream, client_stream:
        peer = _Peer(client_stream)
        request = peer.ws.send(Request(host="vvtv", target="/ws"))
        upgrade = upgrade_request(request)
        assert upgrade is not None
        assert upgrade[1] == "/ws"
        wire = StreamWire(server_stream, upgrade[0], MAX_MESSAGE_BYTES)
        await wire.accept(compress=False)
        assert isinstance(await peer.next_event(), AcceptConnection)
        yield wire, peer


def test_what_is_not_a_websocket_handshake_is_left_to_http() -> None:
    assert upgrade_request(b"GET /healthz HTTP/1.1\r\nHost: vvtv\r\n\r\n") is None
    assert upgrade_request(b"not http at all\r\n\r\n") is None


async def test_an_event_taken_in_part_goes_out_whole_and_in_order_once_the_peer_reads() -> None:
    big = "x" * (SMALL_BUFFER * 64)  # far more than both buffers hold
    async with _accepted() as (wire, peer):
        assert wire.send_nowait(big)
        assert wire.unsent  # the kernel took a part; the rest waits for `flush`
        assert not wire.send_nowait("after")  # nothing jumps the part that waits
        async with trio.open_nursery() as nursery:

            async def flush_then_send() -> None:
                await wire.flush()
                await wire.send("after")

            nursery.start_soon(flush_then_send)
            first = await peer.next_event()
            assert isinstance(first, TextMessage)
            text = first.data
            while not first.message_finished:  # wsproto hands a large message over in parts
                first = await peer.next_event()
                assert isinstance(first, TextMessage)
                text += first.data
            assert text == big
            second = await peer.next_event()
            assert isinstance(second, TextMessage)
            assert second.data == "after"
        assert not wire.unsent
        assert wire.send_nowait("at once again")
        assert not wire.unsent


async def test_a_message_arrives_whole_however_it_was_framed_and_a_ping_is_answered() -> None:
    async with _accepted() as (wire, peer):
        await peer.send(TextMessage(data='{"type":', message_finished=False))
        await peer.send(Ping(payload=b"still there?"))  # between a message's frames, as allowed
        await peer.send(TextMessage(data=' "heartbeat"}', message_finished=True))
        assert await wire.receive() == '{"type": "heartbeat"}'
        pong = await peer.next_event()
        assert isinstance(pong, Pong)
        assert pong.payload == b"still there?"


async def test_a_message_over_the_bound_closes_the_socket_with_1009() -> None:
    async with _accepted() as (wire, peer):
        await peer.send(TextMessage(data="y" * (MAX_MESSAGE_BYTES + 1)))
        assert await wire.receive() is None
        assert wire.disconnected
        closed = await peer.next_event()
        assert isinstance(closed, CloseConnection)
        assert closed.code == CloseReason.MESSAGE_TOO_BIG


async def test_the_peers_close_is_answered_and_ends_the_wire() -> None:
    async with _accepted() as (wire, peer):
        await peer.send(CloseConnection(code=1000))
        assert await wire.receive() is None
        answer = await peer.next_event()
        assert isinstance(answer, CloseConnection)
        assert answer.code == 1000
        assert wire.disconnected
