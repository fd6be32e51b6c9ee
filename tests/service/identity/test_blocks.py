"""MOD-2: blocks are bidirectional, immediate, persisted; `can_interact` is the one question."""

from __future__ import annotations

from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import PASSWORD
from tests.accounts import bearer
from tests.accounts import signup
from vvtv.assembly import open_runtime
from vvtv.assembly.services import Services
from vvtv.config import ConfigBundle

pytestmark = pytest.mark.req("MOD-2")


async def test_a_block_is_bidirectional_and_immediate(
    client: HttpClient, services: Services
) -> None:
    ana = await signup(client, "annie")
    bob = await signup(client, "bobbo")
    cid = await signup(client, "cidde")
    a, b, c = (t["user"]["id"] for t in (ana, bob, cid))
    assert services.identity.can_interact(a, b)
    response = await client.post(f"/blocks/{b}", headers=bearer(ana))
    assert response.status_code == 201
    assert (await response.get_json())["handle"] == "bobbo"
    assert not services.identity.can_interact(a, b)
    assert not services.identity.can_interact(b, a)
    assert services.identity.can_interact(a, c)
    assert services.identity.can_interact(b, c)


async def test_blocks_are_listed_for_their_owner_only_and_can_be_lifted(
    client: HttpClient, services: Services
) -> None:
    ana = await signup(client, "arden")
    bob = await signup(client, "bryce")
    a, b = ana["user"]["id"], bob["user"]["id"]
    await client.post(f"/blocks/{b}", json={}, headers=bearer(ana))
    mine = await (await client.get("/blocks", headers=bearer(ana))).get_json()
    assert [x["user_id"] for x in mine["blocks"]] == [b]
    theirs = await (await client.get("/blocks", headers=bearer(bob))).get_json()
    assert theirs["blocks"] == []
    # The blocked one cannot lift the block: DELETE acts on the caller's own blocks only.
    lifted_by_other = await (await client.delete(f"/blocks/{a}", headers=bearer(bob))).get_json()
    assert lifted_by_other == {"user_id": a, "removed": False}
    assert not services.identity.can_interact(a, b)
    lifted = await (await client.delete(f"/blocks/{b}", headers=bearer(ana))).get_json()
    assert lifted == {"user_id": b, "removed": True}
    assert services.identity.can_interact(a, b)


async def test_blocking_yourself_or_nobody_is_refused(client: HttpClient) -> None:
    ana = await signup(client, "ariel")
    own = await client.post(f"/blocks/{ana['user']['id']}", headers=bearer(ana))
    assert (own.status_code, (await own.get_json())["code"]) == (400, "block_self")
    ghost = await client.post("/blocks/no-such-user", headers=bearer(ana))
    assert ghost.status_code == 404


async def test_blocks_persist_across_a_restart(cheap_config: ConfigBundle, tmp_path: Path) -> None:
    data = tmp_path / "var"
    async with open_runtime(cheap_config, data) as (_, services):
        a = await services.identity.create_account("kim", PASSWORD, "user", None, "2026-11")
        b = await services.identity.create_account("lee", PASSWORD, "user", None, "2026-11")
        from vvtv.domain.accounts import Principal

        await services.identity.block(
            Principal(user_id=a.id, role="user", auth_session_id="s"), b.id
        )
    async with open_runtime(cheap_config, data) as (_, services):
        assert not services.identity.can_interact(b.id, a.id)


async def test_banned_users_cannot_interact(client: HttpClient, services: Services) -> None:
    """MOD-3 through the same question: a banned account is out of reach."""
    from tests.accounts import staff

    mod = await staff(services, client, "morty", "mod")
    ana = await signup(client, "amber")
    bob = await signup(client, "basil")
    a, b = ana["user"]["id"], bob["user"]["id"]
    await client.post("/admin/bans", json={"user_id": b, "reason": "x"}, headers=bearer(mod))
    assert not services.identity.can_interact(a, b)
