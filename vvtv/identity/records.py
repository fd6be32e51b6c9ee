"""What the identity store holds, as plain records."""

from __future__ import annotations

from datetime import datetime

import msgspec

from vvtv.domain.accounts import BanTerm
from vvtv.domain.accounts import Role


class UserRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    handle: str
    password_hash: str
    role: Role
    created_at: datetime
    age_confirmed_at: datetime
    terms_version: str
    ban: BanTerm | None = None
    shadow_quarantine: bool = False
    quarantined_until: str | None = None  # a moderator's quarantine: an ISO time or 'permanent'
    reputation: int = 0

    @property
    def banned_until(self) -> str | None:
        """When the ban ends (an ISO time or 'permanent'), lapsed or not; None: never banned."""
        return None if self.ban is None else self.ban.until


class AuthSessionRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    user_id: str
    device_id: str | None
    refresh_hash: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class BlockRecord(msgspec.Struct, frozen=True, kw_only=True):
    blocker_id: str
    blocked_id: str
    created_at: datetime
