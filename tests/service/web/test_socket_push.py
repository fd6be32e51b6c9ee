"""An event pushed to many sockets in a row is encoded once for all of them: a large room's page
goes to every watcher of it, a message to everyone in a thread."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import msgspec
import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import signup
from vvtv.assembly.services import Services
from vvtv.contracts.events import AuthExpired
from vvtv.contracts.events import Heartbeat
from vvtv.contracts.events import HeartbeatAckEvent
from vvtv.domain.accounts import Principal
from vvtv.web import sockets
from vvtv.web.sockets import current_connection


class _CountingEncoder:
    def __init__(self) -> None:
        self.encoded: list[Any] = []
        self._encoder = msgspec.json.Encoder()

    def encode(self, event: Any) -> bytes:
        self.encoded.append(event)
        return self._encoder.encode(event)


@pytest.mark.req("PRS-4")
async def test_one_event_pushed_to_many_sockets_is_encoded_once(
    client: HttpClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await signup(client, "many")
    async with AsyncExitStack() as stack:
        tabs = []
        for _ in range(3):
            socket = await stack.enter_async_context(client.websocket("/ws"))
            await socket.send_json({"type": "auth", "access_token": user["access_token"]})
            assert (await socket.receive_json())["type"] == "auth.ok"
            tabs.append(socket)
        ids = list(services.sockets.connection_ids(user["user"]["id"]))
        counting = _CountingEncoder()
        monkeypatch.setattr(sockets, "EVENT_ENCODER", counting)
        event = AuthExpired()
        for connection_id in ids:
            services.sockets.push_to(connection_id, event)
        for socket in tabs:
            assert (await socket.receive_json())["type"] == "auth.expired"
        assert counting.encoded == [event]


async def test_a_reply_comes_after_what_was_pushed_to_the_socket_before_it(
    client: HttpClient, services: Services
) -> None:
    """One queue per socket: an event another context pushes while a message is answered goes
    out before that message's reply, and pushes keep their order."""

    async def answer(principal: Principal, message: Heartbeat) -> HeartbeatAckEvent:
        services.sockets.push_to(current_connection(), AuthExpired())
        services.sockets.push(principal.user_id, AuthExpired())
        return HeartbeatAckEvent(expires_in_s=1.0)

    services.sockets.handle({Heartbeat: answer})
    user = await signup(client, "orderly")
    async with client.websocket("/ws") as socket:
        await socket.send_json({"type": "auth", "access_token": user["access_token"]})
        assert (await socket.receive_json())["type"] == "auth.ok"
        await socket.send_json({"type": "heartbeat"})
        kinds = [(await socket.receive_json())["type"] for _ in range(3)]
    assert kinds == ["auth.expired", "auth.expired", "heartbeat.ack"]
