"""The one guard of every HTTP route (AUTH-3): bearer token → Principal → role check (AUTH-4)."""

from __future__ import annotations

from quart import request

from vvtv.domain.accounts import Principal
from vvtv.domain.accounts import allows
from vvtv.identity.errors import RoleRequired
from vvtv.identity.errors import Unauthenticated
from vvtv.identity.service import Identity
from vvtv.web.routing import Guard
from vvtv.web.routing import RouteSpec

DEVICE_HEADER = "X-Device-Id"


def identity_guard(identity: Identity) -> Guard:
    async def guard(spec: RouteSpec) -> Principal | None:
        if spec.access == "public":
            return None
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("Sign in to use this.")
        principal = identity.authenticate(token.strip(), request.headers.get(DEVICE_HEADER))
        if not allows(principal.role, spec.access):
            raise RoleRequired(f"This needs the {spec.access} role.")
        return principal

    return guard
