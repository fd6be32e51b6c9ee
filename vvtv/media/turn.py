"""TURN REST API credentials (draft-uberti-behave-turn-rest), as coturn's `use-auth-secret` checks:
username `expiry:session_id`, password base64(HMAC-SHA1(secret, username)). No static passwords."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from vvtv.clock import WallClock
from vvtv.config.schema.limits import TurnLimits
from vvtv.media.port import TurnCredentials

_SECRET_BYTES = 32


def turn_rest_credentials(
    secret: str, session_id: str, *, now: float, ttl_s: float, urls: tuple[str, ...]
) -> TurnCredentials:
    """Credentials for `session_id` valid for `ttl_s` from `now` (unix seconds)."""
    expires_at = int(now + ttl_s)
    username = f"{expires_at}:{session_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return TurnCredentials(
        urls=urls,
        username=username,
        credential=base64.b64encode(digest).decode("ascii"),
        ttl_s=ttl_s,
        expires_at=expires_at,
    )


def load_turn_secret(limits: TurnLimits, data_dir: Path) -> str:
    """The shared secret: from the env var named in config, else from the file under the data
    dir, which is created (random, mode 0600) on first start so coturn can be pointed at it."""
    from_env = os.environ.get(limits.secret_env, "").strip()
    if from_env:
        return from_env
    path = data_dir / limits.secret_file
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting together agree on one secret (the loser re-reads it).
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secret + "\n")
    return secret


class TurnCredentialIssuer:
    """Issues credentials with the configured TTL and URL; the clock is injected (tests)."""

    def __init__(self, limits: TurnLimits, secret: str, wall_clock: WallClock) -> None:
        self._limits = limits
        self._secret = secret
        self._wall_clock = wall_clock

    def issue(self, session_id: str) -> TurnCredentials:
        return turn_rest_credentials(
            self._secret,
            session_id,
            now=self._wall_clock().timestamp(),
            ttl_s=self._limits.credential_ttl_s,
            urls=(self._limits.url,),
        )
