"""Account rules: roles, who may moderate whom, bans and quarantine, as pure functions, and the
account actor's `decide(account, message)`: one moderation decision at a time, on current state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Literal

from vvtv.domain.values import frozen

Role = Literal["user", "mod", "admin"]
Access = Literal["public", "user", "mod", "admin"]

_RANK: dict[str, int] = {"public": 0, "user": 1, "mod": 2, "admin": 3}

PERMANENT = "permanent"


@frozen
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


def in_force(until: str | None, now: datetime) -> bool:
    """Whether a ban or a moderator's quarantine runs at `now`: `until` is None (none), an ISO
    time, or PERMANENT (until a moderator lifts it)."""
    if until is None:
        return False
    if until == PERMANENT:
        return True
    return datetime.fromisoformat(until) > now


@frozen
class BanTerm:
    """A moderator's ban: until when (an ISO time, or PERMANENT) and why. Kept once it lapses,
    until it is lifted: `in_force` says whether it still runs."""

    until: str
    reason: str

    def in_force(self, now: datetime) -> bool:
        return in_force(self.until, now)


def is_banned(ban: BanTerm | None, now: datetime) -> bool:
    return ban is not None and ban.in_force(now)


def is_new_account(role: Role, created_at: datetime, now: datetime, quarantine_days: float) -> bool:
    """Accounts younger than the configured age are quarantined automatically (MOD-6). Staff
    are not: the operator makes them (or promotes them), they are nobody unknown signing up, and
    a moderator limited to a new account's chat and invites could not do the work."""
    return role == "user" and now - created_at < timedelta(days=quarantine_days)


@frozen
class QuarantineSpan:
    until: datetime | None  # None: until a moderator lifts it
    cause: Literal["new_account", "moderator"]


def quarantine_span(
    role: Role,
    created_at: datetime,
    quarantined_until: str | None,
    now: datetime,
    quarantine_days: float,
) -> QuarantineSpan | None:
    """The quarantine an account is told of (MOD-6): a new account's, a moderator's, or None.
    Both at once: the moderator's is named, with the later end (until lifted is the latest)."""
    new = is_new_account(role, created_at, now, quarantine_days)
    by_moderator = in_force(quarantined_until, now)
    if not (new or by_moderator):
        return None
    ends: list[datetime | None] = [created_at + timedelta(days=quarantine_days)] if new else []
    if by_moderator:
        decided = str(quarantined_until)
        ends.append(None if decided == PERMANENT else datetime.fromisoformat(decided))
    known = [end for end in ends if end is not None]
    until = max(known) if len(known) == len(ends) else None
    return QuarantineSpan(until, "moderator" if by_moderator else "new_account")


# --- the account actor's state, messages and effects ---------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """What moderation decides on: the account actor's state (the rest of the row is not its)."""

    id: str
    role: Role
    ban: BanTerm | None = None
    shadow_quarantine: bool = False
    quarantined_until: str | None = None  # a moderator's visible quarantine (MOD-6)


def _until(at: datetime, duration_s: int | None) -> str:
    return PERMANENT if duration_s is None else (at + timedelta(seconds=duration_s)).isoformat()


@frozen
class Ban:
    at: datetime
    by: Principal
    duration_s: int | None  # None: for good
    reason: str


@frozen
class Unban:
    at: datetime
    by: Principal
    reason: str


@frozen
class SetShadowQuarantine:
    at: datetime
    by: Principal
    on: bool
    reason: str


@frozen
class SetQuarantine:
    """A moderator's quarantine, which its user sees (MOD-6): on for `duration_s` (None: until
    lifted), or lifted."""

    at: datetime
    by: Principal
    on: bool
    reason: str
    duration_s: int | None = None


@frozen
class SetRole:
    """Only admins send it (the route's access rule); the rank rules do not apply to roles."""

    at: datetime
    by: Principal
    role: Role
    reason: str


Moderation = Ban | Unban | SetShadowQuarantine | SetQuarantine | SetRole


@frozen
class Audit:
    at: datetime
    actor_id: str
    action: str
    target_id: str
    reason: str
    detail: Mapping[str, Any] = field(default_factory=dict)


@frozen
class Save:
    """Write `changed` (Account field names: the store knows their columns) and the audit
    entry, together."""

    account: Account
    changed: tuple[str, ...]
    audit: Audit


RefusalCode = Literal["user_not_found", "outranked", "not_banned", "not_quarantined", "own_role"]


@frozen
class Refuse:
    code: RefusalCode
    message: str


AccountEffect = Save | Refuse


def decide(
    account: Account | None, message: Moderation
) -> tuple[Account | None, tuple[AccountEffect, ...]]:
    """The account after `message`, and what to do: save the changed fields, or refuse."""
    if account is None:
        return None, (Refuse("user_not_found", "No such user."),)
    by = message.by
    if isinstance(message, SetRole):
        if account.id == by.user_id:
            return account, (Refuse("own_role", "Ask another admin to change your own role."),)
        moved: dict[str, Any] = {"from": account.role, "to": message.role}
        return _save(account, message, "role.change", moved, role=message.role)
    if not may_moderate(by.role, account.role):
        return account, (
            Refuse("outranked", f"A {by.role} cannot act on a {account.role}'s account."),
        )
    match message:
        case Ban(at, _, duration_s, reason):
            until = _until(at, duration_s)
            detail: dict[str, Any] = {"until": until, "duration_s": duration_s}
            return _save(account, message, "ban", detail, ban=BanTerm(until, reason))
        case Unban():
            if account.ban is None:
                return account, (Refuse("not_banned", "That account is not banned."),)
            was = {"was_until": account.ban.until}
            return _save(account, message, "unban", was, ban=None)
        case SetShadowQuarantine(on=on):
            action = "quarantine.shadow" if on else "quarantine.lift"
            return _save(account, message, action, {}, shadow_quarantine=on)
        case SetQuarantine(at=at, on=True, duration_s=duration_s):
            until = _until(at, duration_s)
            told: dict[str, Any] = {"until": until, "duration_s": duration_s}
            return _save(account, message, "quarantine.visible", told, quarantined_until=until)
        case SetQuarantine(at=at, on=False):
            if not in_force(account.quarantined_until, at):
                return account, (Refuse("not_quarantined", "That account is not quarantined."),)
            ended: dict[str, Any] = {"was_until": account.quarantined_until}
            return _save(account, message, "quarantine.visible.lift", ended, quarantined_until=None)
    raise AssertionError(f"unhandled {message!r}")


def _save(
    account: Account, message: Moderation, action: str, detail: Mapping[str, Any], **changes: Any
) -> tuple[Account, tuple[AccountEffect, ...]]:
    # The decision is recorded even when a value does not change (the same role again): the audit
    # log is of decisions, and the fields it names are written with what they already hold.
    new = replace(account, **changes)
    audit = Audit(message.at, message.by.user_id, action, account.id, message.reason, detail)
    return new, (Save(new, tuple(changes), audit),)
