"""TURN REST API credentials against a real coturn on loopback: a relay allocated, wrong
credentials refused. Their format and the secret's origin: unit/media/test_turn_credentials.py."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trio
from aioice import stun
from aioice import turn

from vvtv.clock import utc_now
from vvtv.config import ConfigBundle
from vvtv.media.turn import TurnCredentialIssuer
from vvtv.media.turn import turn_rest_credentials


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def coturn(tmp_path: Path) -> Iterator[tuple[int, str]]:
    assert shutil.which("turnserver"), "coturn is installed by scripts/test (Debian package coturn)"
    port, secret = _free_udp_port(), "coturn-test-secret"
    process = subprocess.Popen(
        [
            "turnserver", "--use-auth-secret", f"--static-auth-secret={secret}",
            "--listening-ip=127.0.0.1", f"--listening-port={port}", "--relay-ip=127.0.0.1",
            "--min-port=49160", "--max-port=49200", "--no-tls", "--no-dtls", "--realm=vvtv",
            "--allow-loopback-peers", "--no-cli", "--no-tcp-relay", "--simple-log",
            f"--log-file={tmp_path / 'turn.log'}", f"--pidfile={tmp_path / 'turn.pid'}",
            "--no-stun-backward-compatibility", f"--userdb={tmp_path / 'turn.db'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while b"127.0.0.1:%d" % port not in _listening_udp() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield port, secret
    finally:
        process.terminate()
        process.wait(timeout=10)


def _listening_udp() -> bytes:
    return subprocess.run(["ss", "-lun"], capture_output=True, check=False).stdout


async def _allocate(port: int, username: str, password: str) -> tuple[str, int]:
    transport, _ = await turn.create_turn_endpoint(
        asyncio.DatagramProtocol, ("127.0.0.1", port), username, password, lifetime=60
    )
    try:
        relayed: tuple[str, int] = transport.get_extra_info("sockname")
        return relayed
    finally:
        transport.close()


@pytest.mark.slow
async def test_coturn_allocates_a_relay_with_rest_credentials(
    coturn: tuple[int, str], config_bundle: ConfigBundle
) -> None:
    """MED-1: coturn (use-auth-secret) accepts the issued credentials and allocates a relay;
    a wrong password and an expired username are refused."""
    port, secret = coturn
    issuer = TurnCredentialIssuer(config_bundle.limits.media.turn, secret, utc_now)
    good = issuer.issue("session-42")
    relayed = await trio.to_thread.run_sync(
        asyncio.run, _allocate(port, good.username, good.credential)
    )
    assert relayed[0] == "127.0.0.1"
    assert relayed[1] > 0

    expired = turn_rest_credentials(secret, "session-42", now=time.time() - 7200, ttl_s=60, urls=())
    for username, password in ((good.username, "wrong"), (expired.username, expired.credential)):
        with pytest.raises(stun.TransactionFailed, match="401"):
            await trio.to_thread.run_sync(asyncio.run, _allocate(port, username, password))
