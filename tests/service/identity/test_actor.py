"""Moderation of one account is serialised by its account actor, and each write touches only the
columns it changes: concurrent bans, quarantines and role changes never undo each other."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

import pytest
import trio

from tests.accounts import PASSWORD
from tests.accounts import TERMS
from vvtv.assembly.services import Services
from vvtv.contracts.identity import BanRequest
from vvtv.domain.accounts import PERMANENT
from vvtv.domain.accounts import BanTerm
from vvtv.domain.accounts import Principal
from vvtv.errors import Conflict
from vvtv.identity.store import SqliteAccountStore
from vvtv.runtime import Runtime


async def _admin_and_target(services: Services) -> tuple[Principal, str]:
    identity = services.identity
    admin = await identity.create_account("root", PASSWORD, "admin", None, TERMS)
    target = await identity.create_account("target", PASSWORD, "user", None, TERMS)
    return Principal(user_id=admin.id, role="admin", auth_session_id="shell"), target.id


@pytest.mark.req("MOD-3")
@pytest.mark.req("MOD-4")
@pytest.mark.req("AUTH-4")
async def test_a_ban_a_quarantine_and_a_role_change_at_once_all_stick(
    services: Services, runtime: Runtime
) -> None:
    """Before the account actor each call read the record, awaited, then wrote every column back,
    so the last write reverted the other two."""
    identity = services.identity
    admin, target = await _admin_and_target(services)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(identity.ban, admin, BanRequest(user_id=target, reason="spam"))
        nursery.start_soon(identity.set_shadow_quarantine, admin, target, True, "watch")
        nursery.start_soon(identity.set_role, admin, target, "mod", "trusted")
    view = identity.user_view(target)
    assert (view.banned_until, view.shadow_quarantine, view.role) == ("permanent", True, "mod")
    stored = await SqliteAccountStore(runtime.database).user_by_id(target)
    assert stored is not None
    assert (stored.ban, stored.shadow_quarantine, stored.role) == (
        BanTerm(PERMANENT, "spam"),
        True,
        "mod",
    )


@pytest.mark.req("TEL-6")
async def test_many_concurrent_moderation_calls_end_where_the_audit_log_says(
    services: Services, runtime: Runtime
) -> None:
    """Whatever order they run in, replaying the audit log (one entry per applied decision, in
    commit order) gives exactly what the store and the guard's directory hold."""
    identity = services.identity
    admin, target = await _admin_and_target(services)
    moves: list[Callable[[], Awaitable[Any]]] = [
        lambda: identity.ban(admin, BanRequest(user_id=target, reason="r")),
        lambda: identity.unban(admin, target, "r"),
        lambda: identity.set_shadow_quarantine(admin, target, True, "r"),
        lambda: identity.set_shadow_quarantine(admin, target, False, "r"),
        lambda: identity.set_role(admin, target, "mod", "r"),
        lambda: identity.set_role(admin, target, "user", "r"),
    ]
    chosen = random.Random(10).choices(moves, k=60)

    async def run(move: Callable[[], Awaitable[Any]]) -> None:
        # An unban of an account that is not banned (then) is refused and records nothing.
        with contextlib.suppress(Conflict):
            await move()

    async with trio.open_nursery() as nursery:
        for move in chosen:
            nursery.start_soon(run, move)

    replayed: dict[str, Any] = {"banned_until": None, "shadow_quarantine": False, "role": "user"}
    entries = await services.audit.page(None, 1000)
    for entry in reversed(entries):  # oldest first
        if entry.target_id != target:
            continue
        match entry.action:
            case "ban":
                replayed["banned_until"] = entry.detail["until"]
            case "unban":
                replayed["banned_until"] = None
            case "quarantine.shadow" | "quarantine.lift":
                replayed["shadow_quarantine"] = entry.action == "quarantine.shadow"
            case "role.change":
                assert entry.detail["from"] == replayed["role"]  # each saw the one before it
                replayed["role"] = entry.detail["to"]
    stored = await SqliteAccountStore(runtime.database).user_by_id(target)
    assert stored is not None
    view = identity.user_view(target)
    assert {name: getattr(view, name) for name in replayed} == replayed
    ban_until = None if stored.ban is None else stored.ban.until
    assert (ban_until, stored.shadow_quarantine, stored.role) == tuple(replayed.values())


async def test_a_write_touches_only_the_columns_it_changes(
    services: Services, runtime: Runtime
) -> None:
    """A column changed behind the service's back (another process: the operator's shell) keeps
    its value when moderation changes another column."""
    identity = services.identity
    admin, target = await _admin_and_target(services)
    await runtime.database.write(
        lambda db: db.execute("UPDATE users SET reputation = 7 WHERE id = ?", (target,))
    )
    await identity.set_role(admin, target, "mod", "trusted")
    stored = await SqliteAccountStore(runtime.database).user_by_id(target)
    assert stored is not None
    assert (stored.role, stored.reputation) == ("mod", 7)
