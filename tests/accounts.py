"""Small steps the identity tests share: sign up, sign in, headers."""

from __future__ import annotations

from typing import Any

from quart.typing import TestClientProtocol as HttpClient

from vvtv.assembly.services import Services
from vvtv.domain.accounts import Role

PASSWORD = "correct horse battery"
TERMS = "2026-11"


def bearer(tokens: dict[str, Any], device_id: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    if device_id is not None:
        headers["X-Device-Id"] = device_id
    return headers


async def signup(client: HttpClient, handle: str, **extra: Any) -> dict[str, Any]:
    body = {"handle": handle, "password": PASSWORD, "age_confirmed": True, "terms_version": TERMS}
    response = await client.post("/auth/signup", json=body | extra)
    assert response.status_code == 201, await response.get_data()
    tokens: dict[str, Any] = await response.get_json()
    return tokens


async def staff(services: Services, client: HttpClient, handle: str, role: Role) -> dict[str, Any]:
    """An account with a role, made the way the operator makes one (the shell), then signed in."""
    await services.identity.create_account(handle, PASSWORD, role, None, TERMS)
    response = await client.post("/auth/login", json={"handle": handle, "password": PASSWORD})
    assert response.status_code == 200, await response.get_data()
    tokens: dict[str, Any] = await response.get_json()
    return tokens
