"""Account rules: roles, who may moderate whom, bans and quarantine, as pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Role = Literal["user", "mod", "admin"]
Access = Literal["public", "user", "mod", "admin"]

_RANK: dict[str, int] = {"public": 0, "user": 1, "mod": 2, "admin": 3}

PERMANENT = "permanent"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making a request, as the guard established it."""

    user_id: str
    role: Role
    auth_session_id: str
    device_id: str | None = None


def allows(role: Role, access: Access) -> bool:
    """Whether a signed-in `role` may use a route declared with `access` (AUTH-4)."""
    return _RANK[role] >= _RANK[access]


def may_moderate(actor: Role, target: Role) -> bool:
    """Mods act on users; admins on users and mods; nobody on an admin but through the shell."""
    return _RANK[actor] >= _RANK["mod"] and _RANK[actor] > _RANK[target]


def is_banned(banned_until: str | None, now: datetime) -> bool:
    if banned_until is None:
        return False
    if banned_until == PERMANENT:
        return True
    return datetime.fromisoformat(banned_until) > now


def is_new_account(created_at: datetime, now: datetime, quarantine_days: float) -> bool:
    """Accounts younger than the configured age are quarantined automatically (MOD-6)."""
    return now - created_at < timedelta(days=quarantine_days)
