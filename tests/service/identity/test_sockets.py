"""The client socket `/ws`: in-band sign-in, token expiry told in-band and refreshed without
dropping the socket (OPS-5 groundwork), bans close it, bad messages get `error` events.

Time is trio's MockClock moved by hand (hashing runs in real threads, so no autojump); the wall
clock follows it, so token expiry and socket timers agree."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import trio
import trio.testing
from quart.testing.connections import WebsocketDisconnectError
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.assembly.services import Services
from vvtv.config import ConfigBundle

BASE = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def trio_wall() -> datetime:
    return BASE + timedelta(seconds=trio.current_time())


@pytest.fixture
async def opened(
    cheap_config: ConfigBundle, tmp_path: Path, mock_clock: trio.testing.MockClock
) -> AsyncIterator[tuple[HttpClient, Services]]:
    async with open_runtime(cheap_config, tmp_path / "ws", clock=trio_wall) as (runtime, services):
        yield create_app(runtime, services).test_client(), services


async def _advance(clock: trio.testing.MockClock, seconds: float) -> None:
    clock.jump(seconds)
    await trio.testing.wait_all_tasks_blocked()


async def test_an_expiring_token_is_refreshed_in_band_and_the_socket_stays(
    opened: tuple[HttpClient, Services],
    mock_clock: trio.testing.MockClock,
    cheap_config: ConfigBundle,
) -> None:
    client, _ = opened
    tokens = await signup(client, "wendy")
    ttl = cheap_config.limits.auth.tokens.access_ttl_s
    async with client.websocket("/ws") as socket:
        await socket.send_json({"type": "auth", "access_token": tokens["access_token"]})
        assert (await socket.receive_json())["type"] == "auth.ok"
        await _advance(mock_clock, ttl)
        assert (await socket.receive_json())["type"] == "auth.expired"
        # While expired, the socket answers but serves nothing else.
        await socket.send_json({"type": "heartbeat"})
        assert (await socket.receive_json())["code"] == "token_expired"
        await socket.send_json({"type": "auth.refresh", "refresh_token": tokens["refresh_token"]})
        refreshed = await socket.receive_json()
        assert refreshed["type"] == "auth.refreshed"
        assert refreshed["refresh_token"] != tokens["refresh_token"]
        # Same socket, still open, and the new access token works over HTTP too.
        await socket.send_json({"type": "heartbeat"})
        assert (await socket.receive_json())["type"] == "heartbeat.ack"
        me = await client.get(
            "/me", headers={"Authorization": f"Bearer {refreshed['access_token']}"}
        )
        assert me.status_code == 200


async def test_an_expired_socket_not_refreshed_in_time_is_closed(
    opened: tuple[HttpClient, Services],
    mock_clock: trio.testing.MockClock,
    cheap_config: ConfigBundle,
) -> None:
    client, _ = opened
    tokens = await signup(client, "xena")
    limits = cheap_config.limits.auth
    async with client.websocket("/ws") as socket:
        await socket.send_json({"type": "auth", "access_token": tokens["access_token"]})
        await socket.receive_json()
        await _advance(mock_clock, limits.tokens.access_ttl_s)
        assert (await socket.receive_json())["type"] == "auth.expired"
        await _advance(mock_clock, limits.socket.refresh_grace_s)
        assert (await socket.receive_json())["code"] == "token_expired"
        with pytest.raises(WebsocketDisconnectError) as closed:
            await socket.receive()
        assert closed.value.args[0] == 4401


async def test_a_socket_that_never_signs_in_is_closed(
    opened: tuple[HttpClient, Services],
    mock_clock: trio.testing.MockClock,
    cheap_config: ConfigBundle,
) -> None:
    client, _ = opened
    async with client.websocket("/ws") as socket:
        await trio.testing.wait_all_tasks_blocked()
        await _advance(mock_clock, cheap_config.limits.auth.socket.hello_timeout_s)
        with pytest.raises(WebsocketDisconnectError) as closed:
            await socket.receive()
        assert closed.value.args[0] == 4401


@pytest.mark.req("MOD-3")
async def test_a_ban_closes_the_users_open_sockets_with_a_banned_event(
    opened: tuple[HttpClient, Services], mock_clock: trio.testing.MockClock
) -> None:
    client, services = opened
    mod = await staff(services, client, "mason", "mod")
    user = await signup(client, "yuri")
    async with client.websocket("/ws") as socket:
        await socket.send_json({"type": "auth", "access_token": user["access_token"]})
        first = await socket.receive_json()
        assert first["type"] == "auth.ok", first
        assert services.sockets.connections(user["user"]["id"]) == 1
        await client.post(
            "/admin/bans",
            json={"user_id": user["user"]["id"], "reason": "abuse"},
            headers=bearer(mod),
        )
        banned = await socket.receive_json()
        assert (banned["type"], banned["until"]) == ("banned", None)
        with pytest.raises(WebsocketDisconnectError) as closed:
            await socket.receive()
        assert closed.value.args[0] == 4403
    assert services.sockets.connections(user["user"]["id"]) == 0


async def test_bad_messages_get_error_events_and_the_socket_lives_on(
    opened: tuple[HttpClient, Services], mock_clock: trio.testing.MockClock
) -> None:
    client, _ = opened
    user = await signup(client, "zack")
    async with client.websocket("/ws") as socket:
        await socket.send_json({"type": "auth", "access_token": user["access_token"]})
        await socket.receive_json()
        for raw, code, path in (
            ("{not json", "malformed_json", None),
            ('{"type": "teleport"}', "invalid_field", "$.type"),
            ('{"type": "chat.send", "thread_id": "t", "body": ""}', "invalid_field", "$.body"),
            ('{"type": "auth", "access_token": "again"}', "already_authenticated", None),
        ):
            await socket.send(raw)
            error = await socket.receive_json()
            assert (error["type"], error["code"], error["path"]) == ("error", code, path), raw
