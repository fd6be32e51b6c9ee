"""Identity bodies: signup, login, tokens, the account, blocks, bans, quarantine, roles, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from typing import Any
from typing import Literal

import msgspec

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.base import Int64
from vvtv.contracts.base import Serial

Role = Literal["user", "mod", "admin"]
Handle = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z0-9_.]{3,24}$",
        description="3–24 characters: lower-case letters, digits, `_` and `.`",
    ),
]
# The length policy is config's (auth.password); this only bounds what reaches the server.
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
DeviceId = Annotated[str, msgspec.Meta(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
UserId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class Empty(Contract):
    """No fields: the request says everything in its path. An empty body is accepted as `{}`."""


class Signup(Contract):
    handle: Handle
    password: Password
    age_confirmed: Literal[True]  # the user states they are 18 or older
    terms_version: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    device_id: DeviceId | None = None


class Login(Contract):
    handle: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Password
    device_id: DeviceId | None = None


class Refresh(Contract):
    refresh_token: Token
    device_id: DeviceId | None = None


class Logout(Contract):
    everywhere: bool = False  # revoke every login session of the account, not just this one


class QuarantineTerms(Contract):
    """What a quarantined account may do until `until`, told to it (MOD-6); every figure is
    config's. `cause`: a new account's first days, or a moderator's decision."""

    until: datetime | None  # None: until a moderator lifts it
    invites_quarantined_only: bool  # invites only to other quarantined accounts
    # Random pairs it with other quarantined accounts; None where Random is not offered at all.
    random_pool: Literal["quarantine"] | None
    max_matches_per_hour: Count
    chat_max_messages: Count  # in every chat scope, per window
    chat_window_s: float
    cause: Literal["new_account", "moderator"] = "new_account"


class AccountFlags(Contract):
    age_confirmed: bool
    terms_version: str
    banned_until: str | None  # None, an ISO time, or "permanent"
    # A new account's or a moderator's quarantine (MOD-6); a shadow quarantine is never shown.
    quarantined: bool
    reputation: Int64
    quarantine: QuarantineTerms | None = None  # its limits, while `quarantined`


class Me(Contract):
    id: UserId
    handle: str
    role: Role
    created_at: datetime
    flags: AccountFlags


class Tokens(Contract, kw_only=True):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    access_expires_at: datetime
    refresh_expires_at: datetime
    user: Me


class LoggedOut(Contract):
    revoked_sessions: Count


class Block(Contract):
    user_id: UserId
    handle: str
    created_at: datetime


class BlockList(Contract):
    blocks: list[Block]


class Unblocked(Contract):
    user_id: UserId
    removed: bool


class BanRequest(Contract, kw_only=True):
    user_id: UserId
    # At most config's auth.ban_max_duration_s (published so); None: permanent.
    duration_s: Serial | None = None
    reason: Reason


class BanView(Contract):
    user_id: UserId
    banned_until: str | None  # an ISO time, "permanent", or None once lifted
    reason: str | None


class Unban(Contract):
    reason: Reason


class QuarantineRequest(Contract):
    reason: Reason


class QuarantineView(Contract):
    user_id: UserId
    shadow_quarantine: bool
    quarantined_until: str | None = None  # a moderator's visible quarantine (MOD-6)


class RoleChange(Contract):
    role: Role
    reason: Reason


class UserView(Contract):
    """An account as moderators see it (shadow quarantine included)."""

    id: UserId
    handle: str
    role: Role
    created_at: datetime
    banned_until: str | None
    shadow_quarantine: bool
    reputation: Int64
    # A moderator's quarantine, which its user sees: an ISO time, "permanent" (until lifted), or
    # None (MOD-6).
    quarantined_until: str | None = None


class AuditQuery(Contract):
    before_id: Serial | None = None
    limit: Serial | None = None  # at most config's auth.audit_page_max, which is the default


class AuditEntry(Contract):
    id: Serial
    at: datetime
    actor_id: str | None
    action: str
    target_id: str | None
    reason: str | None
    detail: dict[str, Any]
    trace_id: str | None = None


class AuditPage(Contract):
    entries: list[AuditEntry]
    next_before_id: Serial | None
