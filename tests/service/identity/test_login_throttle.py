"""The sign-in lockout (vvtv.domain.login_throttle): attempts are counted before they are awaited,
password checks are bounded per account and overall, strangers cannot lock a known device out,
and X-Forwarded-For counts only from a trusted proxy."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trio
from msgspec.structs import replace
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import PASSWORD
from tests.accounts import signup
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.assembly.services import Services
from vvtv.config import ConfigBundle
from vvtv.contracts.identity import Login
from vvtv.errors import TooManyRequests
from vvtv.errors import Unauthorized
from vvtv.identity.client_address import ClientAddresses
from vvtv.identity.passwords import Passwords

WRONG = "wrong password!"


def _from(address: str, **headers: str) -> dict[str, Any]:
    """Request options for a client at `address` (the socket peer)."""
    return {"scope_base": {"client": (address, 40000)}, "headers": headers}


async def _login(
    client: HttpClient, handle: str, password: str, address: str, device_id: str | None = None
) -> tuple[int, str | None]:
    body: dict[str, Any] = {"handle": handle, "password": password}
    if device_id is not None:
        body["device_id"] = device_id
    response = await client.post("/auth/login", json=body, **_from(address))
    problem = await response.get_json() if response.status_code != 200 else {}
    return response.status_code, problem.get("code")


@pytest.mark.req("AUTH-1")
async def test_concurrent_wrong_passwords_are_counted_before_any_is_checked(
    client: HttpClient, cheap_config: ConfigBundle
) -> None:
    """Before the fix every one of a concurrent burst passed the check (all 401): the check ran
    before the awaited lookup and hash, the count after."""
    login = cheap_config.limits.auth.login
    await signup(client, "burst")
    burst = 4 * login.per_account_and_address.max_attempts
    outcomes: Counter[tuple[int, str | None]] = Counter()

    async def guess() -> None:
        outcomes[await _login(client, "burst", WRONG, "203.0.113.9")] += 1

    async with trio.open_nursery() as nursery:
        for _ in range(burst):
            nursery.start_soon(guess)
    checked = outcomes[(401, "invalid_credentials")]
    assert 1 <= checked <= login.per_account_and_address.max_attempts
    refused = {code for (status, code) in outcomes if status == 429}
    assert refused <= {"login_rate_limited", "login_busy"}
    assert sum(n for (status, _), n in outcomes.items() if status == 429) == burst - checked


@pytest.mark.req("AUTH-1")
async def test_at_most_max_in_flight_checks_of_one_account_run_and_the_rest_are_busy(
    services: Services, cheap_config: ConfigBundle
) -> None:
    """All start in one scheduling batch, so exactly the bound get a password check; the others
    are refused at once with Retry-After, without hashing and without being counted."""
    login = cheap_config.limits.auth.login
    await services.identity.create_account("crowd", PASSWORD, "user", None, "2026-11")
    outcomes: Counter[str] = Counter()

    async def guess(n: int) -> None:
        try:
            await services.identity.login(Login(handle="crowd", password=WRONG), f"198.18.0.{n}")
        except Unauthorized:
            outcomes["checked"] += 1
        except TooManyRequests as refused:
            waits.append(refused.retry_after_s)
            outcomes[refused.code] += 1

    waits: list[float] = []
    burst = 3 * login.max_in_flight_per_account
    async with trio.open_nursery() as nursery:
        for n in range(burst):
            nursery.start_soon(guess, n)
    assert outcomes == {
        "checked": login.max_in_flight_per_account,
        "login_busy": burst - login.max_in_flight_per_account,
    }
    assert min(waits) > 0


async def test_password_hashing_has_a_bounded_queue_that_a_known_device_may_pass(
    cheap_config: ConfigBundle,
) -> None:
    policy = replace(cheap_config.limits.auth.password, hash_concurrency=1, hash_queue_max=2)
    passwords = Passwords(policy)
    good = await passwords.hash(PASSWORD)
    outcomes: Counter[str] = Counter()

    async def verify(queue_exempt: bool) -> None:
        try:
            await passwords.verify(good, PASSWORD, queue_exempt=queue_exempt)
            outcomes["exempt" if queue_exempt else "checked"] += 1
        except TooManyRequests as refused:
            waits.append(refused.retry_after_s)
            outcomes[refused.code] += 1

    waits: list[float] = []
    async with trio.open_nursery() as nursery:
        for _ in range(6):
            nursery.start_soon(verify, False)
        nursery.start_soon(verify, True)
    # Trio may run the exempt one first (then it holds one of the three places) or last.
    assert outcomes["exempt"] == 1
    assert outcomes["checked"] + outcomes["auth_busy"] == 6
    assert outcomes["checked"] <= policy.hash_concurrency + policy.hash_queue_max
    assert min(waits) > 0


@pytest.mark.req("AUTH-1")
async def test_one_address_guessing_locks_only_itself_out_of_the_account(
    client: HttpClient, cheap_config: ConfigBundle, mock_clock: trio.testing.MockClock
) -> None:
    """The window runs on trio's clock (moved by hand: hashing runs in real threads)."""
    limit = cheap_config.limits.auth.login.per_account_and_address
    await signup(client, "ivy")
    for _ in range(limit.max_attempts):
        assert await _login(client, "ivy", WRONG, "203.0.113.1") == (401, "invalid_credentials")
    # From that address even the right password waits now ...
    blocked = await client.post(
        "/auth/login", json={"handle": "ivy", "password": PASSWORD}, **_from("203.0.113.1")
    )
    problem = await blocked.get_json()
    assert (blocked.status_code, problem["code"]) == (429, "login_rate_limited")
    assert 0 < problem["retry_after_s"] <= limit.window_s
    assert int(blocked.headers["Retry-After"]) >= 1
    # ... but its owner, elsewhere, is not locked out by it.
    assert await _login(client, "ivy", PASSWORD, "198.51.100.7") == (200, None)
    mock_clock.jump(limit.window_s)
    assert await _login(client, "ivy", PASSWORD, "203.0.113.1") == (200, None)


@pytest.mark.req("AUTH-1")
async def test_strangers_everywhere_lock_new_devices_out_but_not_a_known_device(
    client: HttpClient, cheap_config: ConfigBundle
) -> None:
    login = cheap_config.limits.auth.login
    await signup(client, "kim", device_id="kims-phone-0001")
    for n in range(login.per_account.max_attempts):
        assert await _login(client, "kim", WRONG, f"203.0.113.{n}") == (401, "invalid_credentials")
    # Every device that never signed in to the account is locked out of it now, right or wrong ...
    assert await _login(client, "kim", PASSWORD, "198.51.100.7") == (429, "login_rate_limited")
    assert await _login(client, "kim", PASSWORD, "198.51.100.7", "thief-device-99") == (
        429,
        "login_rate_limited",
    )
    # ... but the device Kim signed in from signs in, from any address.
    assert await _login(client, "kim", PASSWORD, "192.0.2.50", "kims-phone-0001") == (200, None)
    # That device's own mistakes lock only that device.
    for _ in range(login.per_known_device.max_attempts):
        assert await _login(client, "kim", WRONG, "192.0.2.50", "kims-phone-0001") == (
            401,
            "invalid_credentials",
        )
    assert await _login(client, "kim", PASSWORD, "192.0.2.50", "kims-phone-0001") == (
        429,
        "login_rate_limited",
    )


@pytest.mark.req("AUTH-1")
async def test_a_known_device_signs_in_quickly_during_a_burst_of_wrong_passwords(
    services: Services, cheap_config: ConfigBundle
) -> None:
    """The burst neither locks the owner out nor queues argon2 work ahead of them: only the
    per-account in-flight bound of it is ever hashed."""
    identity = services.identity
    await identity.create_account("owner", PASSWORD, "user", None, "2026-11")
    await identity.login(Login(handle="owner", password=PASSWORD, device_id="owners-laptop-1"), "a")
    statuses: Counter[str] = Counter()

    async def stranger(n: int) -> None:
        try:
            await identity.login(Login(handle="owner", password=WRONG), f"203.0.113.{n % 7}")
        except (Unauthorized, TooManyRequests) as refused:
            statuses[refused.code] += 1

    owner: list[str] = []
    async with trio.open_nursery() as nursery:
        for n in range(100):
            nursery.start_soon(stranger, n)
        await trio.lowlevel.checkpoint()
        tokens = await identity.login(
            Login(handle="owner", password=PASSWORD, device_id="owners-laptop-1"), "b"
        )
        owner.append(tokens.user.handle)
    assert owner == ["owner"]
    in_flight = cheap_config.limits.auth.login.max_in_flight_per_account
    assert statuses["invalid_credentials"] <= in_flight
    assert sum(statuses.values()) == 100


@pytest.mark.req("AUTH-1")
async def test_login_is_throttled_per_client_address(
    client: HttpClient, cheap_config: ConfigBundle
) -> None:
    limit = cheap_config.limits.auth.login.per_address
    for attempt in range(limit.max_attempts):
        assert await _login(client, f"spray{attempt}", "guess guess", "203.0.113.5") == (
            401,
            "invalid_credentials",
        )
    assert await _login(client, "anyone", PASSWORD, "203.0.113.5") == (429, "login_rate_limited")


def test_x_forwarded_for_is_read_from_the_right_and_only_through_trusted_proxies() -> None:
    addresses = ClientAddresses(["10.0.0.0/8", "::1"])
    forged = "6.6.6.6, 1.2.3.4"  # the client wrote 6.6.6.6; our proxy appended 1.2.3.4
    assert addresses.of("10.0.0.2", [forged]) == "1.2.3.4"
    assert addresses.of("10.0.0.2", ["1.2.3.4", "10.0.0.9"]) == "1.2.3.4"  # two of our proxies
    assert addresses.of("203.0.113.9", [forged]) == "203.0.113.9"  # not a proxy of ours
    assert addresses.of("::1", []) == "::1"
    assert addresses.of("10.0.0.2", ["not-an-address"]) == "10.0.0.2"
    assert ClientAddresses([]).of("10.0.0.2", [forged]) == "10.0.0.2"


@pytest.fixture
async def proxied_client(cheap_config: ConfigBundle, tmp_path: Path) -> AsyncIterator[HttpClient]:
    """A server behind a reverse proxy at 10.0.0.2."""
    auth = cheap_config.limits.auth
    login = replace(auth.login, trusted_proxies=("10.0.0.2",))
    limits = replace(cheap_config.limits, auth=replace(auth, login=login))
    config = replace(cheap_config, limits=limits)
    async with open_runtime(config, tmp_path / "proxied") as (runtime, services):
        yield create_app(runtime, services).test_client()


@pytest.mark.req("AUTH-1")
async def test_behind_a_trusted_proxy_one_client_locks_out_only_itself(
    proxied_client: HttpClient, cheap_config: ConfigBundle
) -> None:
    """Without trusted proxies every client behind one would share the proxy's address, so one
    guesser would lock everyone out; and a client's own X-Forwarded-For must not dodge limits."""
    limit = cheap_config.limits.auth.login.per_account_and_address
    await signup(proxied_client, "pia")

    async def attempt(peer: str, forwarded: str, password: str) -> int:
        response = await proxied_client.post(
            "/auth/login",
            json={"handle": "pia", "password": password},
            **_from(peer, **{"X-Forwarded-For": forwarded}),
        )
        return response.status_code

    for _ in range(limit.max_attempts):
        assert await attempt("10.0.0.2", "203.0.113.1", WRONG) == 401
    assert await attempt("10.0.0.2", "203.0.113.1", PASSWORD) == 429
    assert await attempt("10.0.0.2", "198.51.100.7", PASSWORD) == 200
    # A direct client cannot pose as many addresses: its header is not believed.
    for n in range(limit.max_attempts):
        assert await attempt("192.0.2.1", f"203.0.113.{100 + n}", WRONG) == 401
    assert await attempt("192.0.2.1", "203.0.113.200", PASSWORD) == 429
