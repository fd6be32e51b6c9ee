"""What a solo operator watches of sign-ins at /metrics: sign-ups, and sign-ins by outcome (a
lockout shows as `locked_out`), in a format promtool accepts."""

from __future__ import annotations

import shutil
import subprocess
from typing import get_args

import trio
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import PASSWORD
from tests.accounts import signup
from tests.accounts import staff
from vvtv.assembly.services import Services
from vvtv.config import ConfigBundle
from vvtv.contracts.identity import BanRequest
from vvtv.domain.accounts import Principal
from vvtv.identity.metrics import LoginOutcome

ADDRESS = {"scope_base": {"client": ("203.0.113.7", 40000)}}


async def _login(client: HttpClient, handle: str, password: str) -> tuple[int, str | None]:
    response = await client.post(
        "/auth/login", json={"handle": handle, "password": password}, **ADDRESS
    )
    problem = await response.get_json() if response.status_code != 200 else {}
    return response.status_code, problem.get("code")


async def _metrics(client: HttpClient) -> str:
    return (await (await client.get("/metrics")).get_data()).decode()


async def test_signups_and_sign_ins_are_counted_by_outcome(
    client: HttpClient, services: Services, cheap_config: ConfigBundle
) -> None:
    before = await _metrics(client)
    for outcome in get_args(LoginOutcome):  # every series exists before its first event
        assert f'vvtv_identity_logins_total{{outcome="{outcome}"}} 0.0' in before
    assert "vvtv_identity_signups_total 0.0" in before

    await signup(client, "meter")
    assert await _login(client, "meter", PASSWORD) == (200, None)
    # Wrong passwords from one address until the lockout refuses them unchecked.
    failures = cheap_config.limits.auth.login.per_account_and_address.max_attempts
    for _ in range(failures):
        assert await _login(client, "meter", "wrong password!") == (401, "invalid_credentials")
    assert await _login(client, "meter", "wrong password!") == (429, "login_rate_limited")
    # A right password on a banned account.
    admin = await staff(services, client, "root", "admin")
    by = Principal(user_id=admin["user"]["id"], role="admin", auth_session_id="shell")
    banned = await signup(client, "banned")
    await services.identity.ban(by, BanRequest(user_id=banned["user"]["id"], reason="spam"))
    assert await _login(client, "banned", PASSWORD) == (403, "banned")

    text = await _metrics(client)
    assert "vvtv_identity_signups_total 2.0" in text  # meter and banned; root came from the shell
    expected = {"succeeded": 2, "failed": failures, "locked_out": 1, "busy": 0, "banned": 1}
    for outcome, count in expected.items():
        assert f'vvtv_identity_logins_total{{outcome="{outcome}"}} {count:.1f}' in text

    promtool = shutil.which("promtool")
    assert promtool, "promtool is installed by scripts/test (Debian package prometheus)"
    check = await trio.to_thread.run_sync(
        lambda: subprocess.run(
            [promtool, "check", "metrics"], input=text, capture_output=True, text=True
        )
    )
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "")
