"""TURN REST API credentials: the format coturn checks, and where the secret comes from."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle
from vvtv.media.turn import TurnCredentialIssuer
from vvtv.media.turn import load_turn_secret
from vvtv.media.turn import turn_rest_credentials


def test_credentials_follow_the_turn_rest_api() -> None:
    """MED-1: username `expiry:session_id`, password base64(HMAC-SHA1(secret, username))."""
    creds = turn_rest_credentials("s3cret", "sess-1", now=1000.0, ttl_s=600, urls=("turn:x",))
    assert creds.username == "1600:sess-1"
    expected = hmac.new(b"s3cret", b"1600:sess-1", hashlib.sha1).digest()
    assert base64.b64decode(creds.credential) == expected
    assert (creds.expires_at, creds.urls) == (1600, ("turn:x",))


def test_secret_comes_from_env_else_a_generated_file(
    config_bundle: ConfigBundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MED-1: the secret is never in YAML: env var first, else a 0600 file made on first start."""
    limits = config_bundle.limits.media.turn
    monkeypatch.delenv(limits.secret_env, raising=False)
    first = load_turn_secret(limits, tmp_path)
    path = tmp_path / limits.secret_file
    assert path.read_text().strip() == first
    assert len(first) >= 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_turn_secret(limits, tmp_path) == first  # stable across restarts
    monkeypatch.setenv(limits.secret_env, "from-env")
    assert load_turn_secret(limits, tmp_path) == "from-env"


def test_issuer_uses_the_configured_ttl_and_url(config_bundle: ConfigBundle) -> None:
    """MED-1: TTL and URL come from config (INV-6)."""
    limits = config_bundle.limits.media.turn
    creds = TurnCredentialIssuer(
        limits, "k", ManualClock(datetime.fromtimestamp(100.0, UTC))
    ).issue("s")
    assert creds.expires_at == 100 + int(limits.credential_ttl_s)
    assert creds.urls == (limits.url,)
