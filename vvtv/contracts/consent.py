"""The consent handshake on the wire (CNS-1..5): an invite, as both its ends see it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from vvtv.contracts.base import Contract
from vvtv.contracts.identity import UserId
from vvtv.contracts.sessions import Id

InviteStatus = Literal["queued", "pending", "accepted", "declined", "expired", "cancelled"]
# `inviter`: withdrawn; `tab_closed`: the inviter's last tab closed (OPS-5); `call_failed`:
# accepted, but the call could not start (e.g. a kill switch); `unavailable`: a block or a ban
# now stands between them (which one is not said, MOD-2).
CancelReason = Literal["inviter", "tab_closed", "call_failed", "unavailable"]


class CreateInvite(Contract):
    invitee_id: UserId


class ConsentInvite(Contract):
    id: Id
    inviter_id: UserId
    invitee_id: UserId
    status: InviteStatus
    created_at: datetime
    expires_at: datetime | None = None  # None while queued behind another invite (CNS-5)
    session_id: Id | None = None  # the call, once an accepted invite's call exists (CNS-2)
    reason: CancelReason | None = None
    # Each end's handle as of this answer, so a tab that never saw the other end (a deep link, a
    # tab opened mid-invite) can name them; None once an account is gone.
    inviter_handle: str | None = None
    invitee_handle: str | None = None


class ConsentInvites(Contract):
    """Your open and recently ended invites, sent and received, oldest first."""

    invites: list[ConsentInvite]
