"""Crash safety: sessions a killed server left active are ended (endpoints revoked) when it
starts again, and their cost is closed."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from tests.server_process import cheap_hashing_config
from tests.server_process import start_server

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"


def test_a_session_left_active_by_a_killed_server_is_ended_at_restart(tmp_path: Path) -> None:
    config = cheap_hashing_config(tmp_path)
    server = start_server(tmp_path, "--no-channel", config=config)
    body = {
        "handle": "crashy",
        "password": PASSWORD,
        "age_confirmed": True,
        "terms_version": "2026-11",
    }
    tokens = httpx.post(f"{server.url}/auth/signup", json=body).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    session = httpx.post(
        f"{server.url}/sessions",
        json={"mode": "party", "audience_type": "group", "stream_transport": "webrtc",
              "intent_label": "party_presence"},
        headers=headers,
    ).json()  # fmt: skip
    assert session["state"] == "active"
    server.stop(signal.SIGKILL)

    restarted = start_server(tmp_path, "--no-channel", config=config)
    try:
        after = httpx.get(f"{restarted.url}/sessions/{session['id']}", headers=headers).json()
        assert after["state"] == "ended"
        assert after["ended_at"] is not None
        assert after["end_reason"] is not None
    finally:
        assert restarted.stop() == 0
