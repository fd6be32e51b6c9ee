"""The one guard every route passes through (AUTH-3)."""

from __future__ import annotations

from vvtv.errors import Unauthorized
from vvtv.web.routing import Guard, RouteSpec


def anonymous_guard() -> Guard:
    """The guard before identity exists: public routes pass, every other route needs a sign-in
    that cannot happen yet, so it is refused."""

    async def guard(spec: RouteSpec) -> None:
        if spec.access != "public":
            raise Unauthorized("Sign in to use this.", code="unauthenticated")

    return guard
