"""Access tokens (short-lived JWTs, HS256, PyJWT) and refresh tokens (opaque, stored hashed).

The signing key lives in the data folder (created on first start, mode 0600), never in config.
Expiry is checked against the injected wall clock, so tests control time.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import jwt
import msgspec

from vvtv.identity.errors import TokenExpired
from vvtv.identity.errors import TokenInvalid

_ALGORITHM = "HS256"


class AccessClaims(msgspec.Struct, frozen=True, kw_only=True):
    sub: str  # user id
    sid: str  # login session id
    dev: str | None = None  # the device the token was minted for (AUTH-1)
    iat: int
    exp: int


def load_or_create_key(data_dir: Path) -> bytes:
    path = data_dir / "secrets" / "token-signing.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_bytes(32))
    return path.read_bytes()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def refresh_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenSigner:
    def __init__(self, key: bytes, access_ttl_s: float) -> None:
        self._key = key
        self._ttl = timedelta(seconds=access_ttl_s)

    def mint(
        self, user_id: str, session_id: str, device_id: str | None, now: datetime
    ) -> tuple[str, datetime]:
        expires = now + self._ttl
        claims = AccessClaims(
            sub=user_id,
            sid=session_id,
            dev=device_id,
            iat=int(now.timestamp()),
            exp=int(expires.timestamp()),
        )
        token = jwt.encode(msgspec.to_builtins(claims), self._key, algorithm=_ALGORITHM)
        return token, datetime.fromtimestamp(claims.exp, tz=now.tzinfo)

    def verify(self, token: str, now: datetime) -> AccessClaims:
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                # Time is checked below against the injected clock, never PyJWT's time.time().
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
            claims = msgspec.convert(payload, AccessClaims)
        except (jwt.InvalidTokenError, msgspec.ValidationError):
            raise TokenInvalid("That access token is not valid.") from None
        if claims.exp <= now.timestamp():
            raise TokenExpired("The access token expired; refresh it and try again.")
        return claims
