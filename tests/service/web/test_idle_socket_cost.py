"""An idle signed-in socket costs one task: the one that waits for its next message, with its
token's expiry as that wait's deadline (PRS-4: idle sockets cost little). A socket's writer runs
only while events wait to go out, and quart's websocket machinery is not in the way."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest
import trio
import trio.testing
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import signup

MORE_SOCKETS = 3


def _tasks() -> int:
    return trio.lowlevel.current_statistics().tasks_living


@pytest.mark.req("PRS-4")
async def test_an_idle_signed_in_socket_holds_one_task(client: HttpClient) -> None:
    user = await signup(client, "idler")
    async with AsyncExitStack() as stack:

        async def open_one() -> None:
            socket = await stack.enter_async_context(client.websocket("/ws"))
            await socket.send_json({"type": "auth", "access_token": user["access_token"]})
            assert (await socket.receive_json())["type"] == "auth.ok"
            # Something to write, so a writer ran and is gone again.
            await socket.send_json({"type": "heartbeat"})
            assert (await socket.receive_json())["type"] == "heartbeat.ack"
            await trio.testing.wait_all_tasks_blocked()

        await open_one()  # whatever the first socket starts once (actors, timers)
        before = _tasks()
        for _ in range(MORE_SOCKETS):
            await open_one()
        assert _tasks() - before == MORE_SOCKETS
