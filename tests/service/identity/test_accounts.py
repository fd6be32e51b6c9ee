"""Accounts and tokens: sign-up with age and terms, login, refresh rotation, logout, expiry and
device binding (the sign-in lockout: test_login_throttle.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import PASSWORD
from tests.accounts import TERMS
from tests.accounts import bearer
from tests.accounts import signup
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle


@pytest.mark.req("AUTH-1")
async def test_signup_signs_in_and_me_shows_the_account(client: HttpClient) -> None:
    tokens = await signup(client, "ana")
    assert tokens["token_type"] == "bearer"
    me = await (await client.get("/me", headers=bearer(tokens))).get_json()
    assert me["handle"] == "ana"
    assert me["role"] == "user"
    assert me["flags"]["age_confirmed"] is True
    assert me["flags"]["terms_version"] == TERMS
    assert me["flags"]["quarantined"] is True  # MOD-6: a new account, and the UI may say so


@pytest.mark.req("AUTH-2")
@pytest.mark.parametrize(
    ("change", "status", "code", "path"),
    [
        ({"age_confirmed": False}, 400, "invalid_field", "$.age_confirmed"),
        ({"terms_version": "2020-01"}, 409, "terms_outdated", "$.terms_version"),
        ({"password": "short"}, 400, "weak_password", "$.password"),
        ({"handle": "Not A Handle"}, 400, "invalid_field", "$.handle"),
    ],
)
async def test_signup_needs_adult_age_current_terms_and_a_real_password(
    client: HttpClient, change: dict[str, object], status: int, code: str, path: str
) -> None:
    body = {"handle": "bob", "password": PASSWORD, "age_confirmed": True, "terms_version": TERMS}
    response = await client.post("/auth/signup", json=body | change)
    problem = await response.get_json()
    assert (response.status_code, problem["code"], problem["path"]) == (status, code, path)


async def test_a_taken_handle_is_a_conflict(client: HttpClient) -> None:
    await signup(client, "cyd")
    body = {"handle": "cyd", "password": PASSWORD, "age_confirmed": True, "terms_version": TERMS}
    response = await client.post("/auth/signup", json=body)
    assert response.status_code == 409
    assert (await response.get_json())["code"] == "handle_taken"


async def test_login_with_a_wrong_password_or_unknown_handle_is_refused(client: HttpClient) -> None:
    await signup(client, "dee")
    for handle, password in (("dee", "wrong password!"), ("nobody", PASSWORD)):
        response = await client.post("/auth/login", json={"handle": handle, "password": password})
        assert response.status_code == 401
        assert (await response.get_json())["code"] == "invalid_credentials"
    ok = await client.post("/auth/login", json={"handle": "dee", "password": PASSWORD})
    assert ok.status_code == 200


@pytest.mark.req("AUTH-1")
async def test_refresh_rotates_and_a_used_refresh_token_is_dead(client: HttpClient) -> None:
    tokens = await signup(client, "eve")
    first = await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200
    fresh = await first.get_json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    replay = await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert replay.status_code == 401
    assert (await replay.get_json())["code"] == "refresh_invalid"
    assert (await client.get("/me", headers=bearer(fresh))).status_code == 200


@pytest.mark.req("AUTH-1")
async def test_logout_revokes_the_access_and_refresh_tokens_at_once(client: HttpClient) -> None:
    tokens = await signup(client, "fay")
    other = await (
        await client.post("/auth/login", json={"handle": "fay", "password": PASSWORD})
    ).get_json()
    response = await client.post("/auth/logout", json={}, headers=bearer(tokens))
    assert (await response.get_json()) == {"revoked_sessions": 1}
    me = await client.get("/me", headers=bearer(tokens))
    assert (me.status_code, (await me.get_json())["code"]) == (401, "session_revoked")
    refresh = await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    # The other sign-in lives on until `everywhere`.
    assert (await client.get("/me", headers=bearer(other))).status_code == 200
    await client.post("/auth/logout", json={"everywhere": True}, headers=bearer(other))
    assert (await client.get("/me", headers=bearer(other))).status_code == 401


@pytest.mark.req("AUTH-1")
async def test_a_device_bound_token_is_refused_from_another_device(client: HttpClient) -> None:
    tokens = await signup(client, "gus", device_id="phone-aaaa1111")
    assert (await client.get("/me", headers=bearer(tokens, "phone-aaaa1111"))).status_code == 200
    for headers in (bearer(tokens, "laptop-bbbb2222"), bearer(tokens)):
        response = await client.get("/me", headers=headers)
        assert (response.status_code, (await response.get_json())["code"]) == (
            401,
            "device_mismatch",
        )
    refresh = await client.post(
        "/auth/refresh",
        json={"refresh_token": tokens["refresh_token"], "device_id": "laptop-bbbb2222"},
    )
    assert refresh.status_code == 401


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def timed_client(
    cheap_config: ConfigBundle, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[HttpClient]:
    async with open_runtime(cheap_config, tmp_path / "timed", clock=clock) as (runtime, services):
        yield create_app(runtime, services).test_client()


@pytest.mark.req("AUTH-1")
async def test_an_expired_access_token_answers_token_expired(
    timed_client: HttpClient, clock: ManualClock, cheap_config: ConfigBundle
) -> None:
    tokens = await signup(timed_client, "hal")
    clock.advance(cheap_config.limits.auth.tokens.access_ttl_s - 1)
    assert (await timed_client.get("/me", headers=bearer(tokens))).status_code == 200
    clock.advance(2)
    response = await timed_client.get("/me", headers=bearer(tokens))
    assert (response.status_code, (await response.get_json())["code"]) == (401, "token_expired")
    refreshed = await timed_client.post(
        "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert (
        await timed_client.get("/me", headers=bearer(await refreshed.get_json()))
    ).status_code == 200
