"""Bans, shadow quarantine, roles and the audit log: who may do what, effects at once, recorded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import PASSWORD
from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.assembly import open_runtime
from vvtv.assembly.services import Services
from vvtv.config import ConfigBundle
from vvtv.observability.audit import AuditRecord
from vvtv.runtime import Runtime


@pytest.mark.req("MOD-3")
async def test_a_ban_stops_the_users_tokens_at_once_and_refuses_login(
    client: HttpClient, services: Services
) -> None:
    mod = await staff(services, client, "mona", "mod")
    user = await signup(client, "ursula")
    user_id = user["user"]["id"]
    ban = await client.post(
        "/admin/bans", json={"user_id": user_id, "reason": "spam"}, headers=bearer(mod)
    )
    assert ban.status_code == 201
    assert (await ban.get_json())["banned_until"] == "permanent"
    me = await client.get("/me", headers=bearer(user))
    assert (me.status_code, (await me.get_json())["code"]) == (403, "banned")
    login = await client.post("/auth/login", json={"handle": "ursula", "password": PASSWORD})
    assert login.status_code == 403
    refresh = await client.post("/auth/refresh", json={"refresh_token": user["refresh_token"]})
    assert refresh.status_code == 403

    lifted = await client.delete(f"/admin/bans/{user_id}?reason=appeal", headers=bearer(mod))
    assert lifted.status_code == 200
    assert (await client.get("/me", headers=bearer(user))).status_code == 200


@pytest.mark.req("MOD-3")
async def test_a_timed_ban_names_its_end(client: HttpClient, services: Services) -> None:
    admin = await staff(services, client, "adele", "admin")
    user = await signup(client, "timmy")
    ban = await client.post(
        "/admin/bans",
        json={"user_id": user["user"]["id"], "reason": "cool off", "duration_s": 3600},
        headers=bearer(admin),
    )
    until = (await ban.get_json())["banned_until"]
    assert until != "permanent"
    me = await (await client.get("/me", headers=bearer(user))).get_json()
    assert until in me["message"]


@pytest.mark.req("AUTH-4")
async def test_rank_decides_who_may_moderate_whom(client: HttpClient, services: Services) -> None:
    mod = await staff(services, client, "mick", "mod")
    other_mod = await staff(services, client, "maud", "mod")
    admin = await staff(services, client, "alma", "admin")
    user = await signup(client, "ulla")
    for actor, target, status in (
        (user, mod, 403),  # a user may not ban at all
        (mod, other_mod, 403),  # a mod may not ban a mod
        (mod, admin, 403),  # nor an admin
        (admin, other_mod, 201),  # an admin may ban a mod
    ):
        response = await client.post(
            "/admin/bans",
            json={"user_id": target["user"]["id"], "reason": "test"},
            headers=bearer(actor),
        )
        assert response.status_code == status


@pytest.mark.req("MOD-4")
async def test_a_shadow_quarantine_is_recorded_but_never_shown_to_its_subject(
    client: HttpClient, services: Services
) -> None:
    mod = await staff(services, client, "milo", "mod")
    user = await signup(client, "quinn")
    user_id = user["user"]["id"]
    before = await (await client.get("/me", headers=bearer(user))).get_json()
    response = await client.post(
        f"/admin/users/{user_id}/quarantine", json={"reason": "investigating"}, headers=bearer(mod)
    )
    expected = {"user_id": user_id, "shadow_quarantine": True, "quarantined_until": None}
    assert (await response.get_json()) == expected
    after = await (await client.get("/me", headers=bearer(user))).get_json()
    assert after == before  # nothing the user can see changed
    assert services.identity.is_quarantined(user_id)
    view = await (await client.get(f"/admin/users/{user_id}", headers=bearer(mod))).get_json()
    assert view["shadow_quarantine"] is True


@pytest.mark.req("AUTH-4")
async def test_a_role_change_applies_on_the_next_request(
    client: HttpClient, services: Services
) -> None:
    admin = await staff(services, client, "arlo", "admin")
    user = await signup(client, "uma")
    target = await signup(client, "tess")
    ban_body = {"user_id": target["user"]["id"], "reason": "x"}
    assert (
        await client.post("/admin/bans", json=ban_body, headers=bearer(user))
    ).status_code == 403
    promote = await client.put(
        f"/admin/users/{user['user']['id']}/role",
        json={"role": "mod", "reason": "trusted"},
        headers=bearer(admin),
    )
    assert (await promote.get_json())["role"] == "mod"
    assert (
        await client.post("/admin/bans", json=ban_body, headers=bearer(user))
    ).status_code == 201
    own = await client.put(
        f"/admin/users/{admin['user']['id']}/role",
        json={"role": "user", "reason": "oops"},
        headers=bearer(admin),
    )
    assert (own.status_code, (await own.get_json())["code"]) == (403, "own_role")


@pytest.mark.req("MOD-6")
async def test_staff_are_never_quarantined_as_new_accounts(
    client: HttpClient, services: Services
) -> None:
    """The operator makes staff (or promotes them): a new moderator is not limited to a new
    account's chat and invites, nor told so; a new user still is, until promoted."""
    admin = await staff(services, client, "ada", "admin")
    moderator = await staff(services, client, "mo", "mod")
    user = await signup(client, "nia")

    async def told(account: dict[str, object]) -> object:
        me = await (await client.get("/me", headers=bearer(account))).get_json()
        return (me["flags"]["quarantined"], me["flags"].get("quarantine"))

    assert await told(admin) == (False, None)
    assert await told(moderator) == (False, None)
    flagged, terms = await told(user)
    assert flagged is True
    assert isinstance(terms, dict)
    assert terms["cause"] == "new_account"
    assert services.identity.is_new(user["user"]["id"])
    promote = await client.put(
        f"/admin/users/{user['user']['id']}/role",
        json={"role": "mod", "reason": "trusted"},
        headers=bearer(admin),
    )
    assert promote.status_code == 200
    assert await told(user) == (False, None)
    assert not services.identity.is_new(user["user"]["id"])
    assert not services.identity.is_quarantined(user["user"]["id"])


async def test_the_audit_log_records_who_whom_what_why_and_when_and_pages(
    client: HttpClient, services: Services
) -> None:
    """TEL-6 (moderation part): every decision lands in the append-only log."""
    admin = await staff(services, client, "audra", "admin")
    user = await signup(client, "vick")
    user_id = user["user"]["id"]
    admin_id = admin["user"]["id"]
    await client.post(
        "/admin/bans", json={"user_id": user_id, "reason": "r1"}, headers=bearer(admin)
    )
    await client.delete(f"/admin/bans/{user_id}?reason=r2", headers=bearer(admin))
    await client.post(
        f"/admin/users/{user_id}/quarantine", json={"reason": "r3"}, headers=bearer(admin)
    )
    await client.put(
        f"/admin/users/{user_id}/role", json={"role": "mod", "reason": "r4"}, headers=bearer(admin)
    )
    page = await (await client.get("/admin/audit?limit=3", headers=bearer(admin))).get_json()
    actions = [(e["action"], e["actor_id"], e["target_id"], e["reason"]) for e in page["entries"]]
    assert actions == [
        ("role.change", admin_id, user_id, "r4"),
        ("quarantine.shadow", admin_id, user_id, "r3"),
        ("unban", admin_id, user_id, "r2"),
    ]
    assert page["entries"][0]["detail"] == {"from": "user", "to": "mod"}
    rest = await (
        await client.get(f"/admin/audit?before_id={page['next_before_id']}", headers=bearer(admin))
    ).get_json()
    # Oldest: the channel's first policy, seeded when the runtime first opened (one log, TEL-6).
    assert [e["action"] for e in rest["entries"]] == ["ban", "role.grant", "lab.policy.update"]
    assert rest["next_before_id"] is None
    too_many = await client.get("/admin/audit?limit=100000", headers=bearer(admin))
    assert (too_many.status_code, (await too_many.get_json())["path"]) == (400, "?limit")


async def test_the_audit_log_is_append_only(services: Services, runtime: Runtime) -> None:
    await services.audit.append(AuditRecord(at=runtime.clock(), actor_id=None, action="probe"))
    for statement in ("DELETE FROM audit_log", "UPDATE audit_log SET action = 'forged'"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await runtime.database.write(lambda db, sql=statement: db.execute(sql))
    newest, *_ = await services.audit.page(None, 10)
    assert newest.action == "probe"


@pytest.mark.req("MOD-3")
async def test_bans_survive_a_restart(cheap_config: ConfigBundle, tmp_path: Path) -> None:
    data = tmp_path / "var"
    async with open_runtime(cheap_config, data) as (_, services):
        admin = await services.identity.create_account("ada", PASSWORD, "admin", None, "2026-11")
        user = await services.identity.create_account("ulf", PASSWORD, "user", None, "2026-11")
        principal = services.identity.authenticate(
            (await services.identity.login(_login("ada"), "1.2.3.4")).access_token, None
        )
        assert principal.user_id == admin.id
        from vvtv.contracts.identity import BanRequest

        await services.identity.ban(principal, BanRequest(user_id=user.id, reason="r"))
    async with open_runtime(cheap_config, data) as (_, services):
        assert not services.identity.can_interact(admin.id, user.id)
        with pytest.raises(Exception, match="banned"):
            await services.identity.login(_login("ulf"), "1.2.3.4")


def _login(handle: str):  # type: ignore[no-untyped-def]
    from vvtv.contracts.identity import Login

    return Login(handle=handle, password=PASSWORD)
