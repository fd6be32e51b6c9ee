"""MED-3 through the API: a real aiortc client publishes into the app's LocalSFU using only the
session routes (create → offer/answer over HTTP → connected → end closes the connection)."""

from __future__ import annotations

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import bearer
from tests.accounts import signup
from tests.webrtc_clients import HttpSignalling
from tests.webrtc_clients import client_peers
from tests.webrtc_clients import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.req("MED-3")]


async def test_a_client_publishes_through_the_session_api_and_ending_closes_it(
    client: HttpClient,
) -> None:
    tokens = await signup(client, "pubby")
    headers = bearer(tokens)
    created = await client.post(
        "/sessions",
        json={"mode": "party", "audience_type": "group", "stream_transport": "webrtc",
              "intent_label": "party_presence"},
        headers=headers,
    )  # fmt: skip
    session = await created.get_json()
    assert (created.status_code, session["state"]) == (201, "active"), session
    turn = await (await client.get(f"/sessions/{session['id']}/turn", headers=headers)).get_json()
    assert turn["username"].endswith(f":{session['id']}")

    signalling = HttpSignalling(client, headers)
    async with client_peers() as peers:
        peer = await peers.publish(signalling, session["id"], tokens["user"]["id"])
        await wait_for(lambda: peer.pc.connectionState == "connected", within_s=15)
        ended = await client.post(f"/sessions/{session['id']}/end", json={}, headers=headers)
        assert (await ended.get_json())["state"] == "ended"
        await wait_for(lambda: peer.pc.connectionState in ("closed", "failed", "disconnected"))
    late = await client.post(
        f"/sessions/{session['id']}/offer", json={"role": "publish", "sdp": "v=0"}, headers=headers
    )
    assert (late.status_code, (await late.get_json())["code"]) == (409, "invalid_session_state")
