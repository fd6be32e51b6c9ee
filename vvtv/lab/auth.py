"""The standalone agent's guard: one bearer token, read from the environment variable or file the
config names (never a literal), compared in constant time; every refusal is audited."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from quart import request

from vvtv.clock import WallClock
from vvtv.config.schema.limits import LabLimits
from vvtv.domain.accounts import Principal
from vvtv.errors import Forbidden
from vvtv.errors import Unauthorized
from vvtv.observability.audit import AuditLog
from vvtv.observability.audit import AuditRecord
from vvtv.web.routing import Guard
from vvtv.web.routing import RouteSpec


class NoToken(Exception):
    """Standalone control needs a token; the operator has not provided one."""


def load_token(limits: LabLimits, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    token = environ.get(limits.control_token_env, "").strip()
    if not token and limits.control_token_file:
        try:
            token = Path(limits.control_token_file).read_text().strip()
        except OSError as error:
            raise NoToken(f"cannot read {limits.control_token_file}: {error}") from None
    if len(token) < 16:
        raise NoToken(
            f"set {limits.control_token_env} (or lab.control_token_file) to a token of 16+ chars"
        )
    return token


def optional_token(limits: LabLimits) -> str | None:
    """The shared lab token if the operator set one: the server runs without it (the in-process
    agent needs none), standalone agents then push with an admin's bearer token."""
    try:
        return load_token(limits)
    except NoToken:
        return None


def token_guard(token: str, audit: AuditLog, clock: WallClock) -> Guard:
    expected = token.encode()
    # Audit entries name the token by a short digest, never by its value.
    who = f"token:{hashlib.sha256(expected).hexdigest()[:8]}"

    async def guard(spec: RouteSpec) -> Principal | None:
        if spec.access == "public":
            return None
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        route = f"{spec.method} {spec.rule}"
        if scheme.lower() != "bearer" or not presented.strip():
            await audit.append(_refusal(clock(), route, "no bearer token", 401))
            raise Unauthorized("Send a bearer token.", code="unauthenticated")
        if not hmac.compare_digest(presented.strip().encode(), expected):
            await audit.append(_refusal(clock(), route, "wrong bearer token", 403))
            raise Forbidden("This token may not control the agent.", code="bad_token")
        # The token is the LAB operator's: it may use every route the agent declares.
        return Principal(user_id=who, role="admin", auth_session_id="lab-token")

    return guard


def _refusal(at: datetime, route: str, why: str, status: int) -> AuditRecord:
    return AuditRecord(
        at=at, actor_id=None, action="lab.refused", target_id=route, reason=why,
        detail={"status": status},
    )  # fmt: skip


def token_or(token: str | None, fallback: Guard) -> Guard:
    """The server's guard for the agents' status push: the shared lab token (what a standalone
    agent holds: access tokens expire, a 24/7 agent cannot sign in again) or, without it, whatever
    `fallback` (the server's own guard) admits, e.g. an admin's bearer token. Without a
    configured token only `fallback` applies."""
    expected = token.encode() if token else None
    who = f"token:{hashlib.sha256(expected).hexdigest()[:8]}" if expected else ""

    async def guard(spec: RouteSpec) -> Principal | None:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if (
            expected is not None
            and scheme.lower() == "bearer"
            and hmac.compare_digest(presented.strip().encode(), expected)
        ):
            return Principal(user_id=who, role="admin", auth_session_id="lab-token")
        return await fallback(spec)

    return guard
