"""The operator's shell and crash safety: `vvtv user create` bootstraps an admin; whatever a user
was told succeeded survives a SIGKILL of the server."""

from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.accounts import PASSWORD
from tests.accounts import TERMS
from tests.server_process import cheap_hashing_config
from tests.server_process import create_admin
from tests.server_process import start_server

pytestmark = pytest.mark.slow


@pytest.mark.req("AUTH-4")
def test_user_create_bootstraps_the_first_admin(tmp_path: Path) -> None:
    config = cheap_hashing_config(tmp_path)
    created = create_admin(config, tmp_path / "var", "root", PASSWORD)
    assert created.returncode == 0, created.stderr
    assert "created admin root" in created.stdout
    again = create_admin(config, tmp_path / "var", "root", PASSWORD)
    assert again.returncode == 1
    # One line, not a traceback: the error reaches the CLI's `except VvtvError` unwrapped.
    assert "Traceback" not in again.stderr
    assert again.stderr.splitlines()[-1] == "vvtv user create: That handle is taken. (handle_taken)"
    server = start_server(tmp_path, config=config)
    try:
        tokens = httpx.post(
            f"{server.url}/auth/login", json={"handle": "root", "password": PASSWORD}
        ).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        audit = httpx.get(f"{server.url}/admin/audit", headers=headers)
        assert audit.status_code == 200
        # Newest first; the first opening of the data folder seeded the channel's first policy.
        entry, seeded = audit.json()["entries"]
        assert (seeded["action"], seeded["actor_id"]) == ("lab.policy.update", None)
        assert (entry["action"], entry["actor_id"], entry["detail"]["role"]) == (
            "role.grant",
            None,
            "admin",
        )
        # An admin made from the shell while the server runs can sign in and act at once.
        assert create_admin(config, tmp_path / "var", "second", PASSWORD).returncode == 0
        second = httpx.post(
            f"{server.url}/auth/login", json={"handle": "second", "password": PASSWORD}
        ).json()
        me = httpx.get(
            f"{server.url}/me", headers={"Authorization": f"Bearer {second['access_token']}"}
        )
        assert me.status_code == 200, me.text
        assert me.json()["role"] == "admin"
    finally:
        assert server.stop() == 0


def test_every_acknowledged_signup_survives_a_sigkill(tmp_path: Path) -> None:
    config = cheap_hashing_config(tmp_path)
    server = start_server(tmp_path, config=config)

    def sign_up(n: int) -> str | None:
        body = {
            "handle": f"user{n:04d}", "password": PASSWORD, "age_confirmed": True,
            "terms_version": TERMS,
        }  # fmt: skip
        try:
            response = httpx.post(f"{server.url}/auth/signup", json=body, timeout=10)
        except httpx.TransportError:
            return None  # cut off by the kill: never acknowledged
        return body["handle"] if response.status_code == 201 else None

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(sign_up, n) for n in range(120)]
        # Kill while writes are in flight: after the first acknowledgements, without waiting.
        futures[20].result()
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        acknowledged = [handle for f in futures if (handle := f.result()) is not None]
    assert acknowledged  # some were told "created" before the kill; every one must survive

    restarted = start_server(tmp_path, config=config)
    try:
        for handle in acknowledged:
            response = httpx.post(
                f"{restarted.url}/auth/login", json={"handle": handle, "password": PASSWORD}
            )
            assert response.status_code == 200, (handle, response.text)
    finally:
        assert restarted.stop() == 0
