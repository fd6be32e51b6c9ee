"""Shield Mode on the wire (issue 16): the operator's switch, what it holds while on, and the calm
banner every signed-in tab is shown (inside `service.notice` and `GET /service/notice`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count

Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ShieldBanner(Contract):
    """What users are told while Shield Mode is on; the UI blurs new accounts' tiles when
    `blur_new_tiles` (presence marks them `quarantined_new`)."""

    blur_new_tiles: bool


class ShieldGatesView(Contract):
    """What Shield Mode holds while on (config's `shield` preset); off, nothing of it."""

    new_accounts_chat: bool
    new_accounts_invite: bool
    random_min_account_age_days: float
    slow_mode_s: float
    live_room_min_account_age_days: float
    live_rooms: list[str]
    blur_new_tiles: bool


class ShieldStatus(Contract, kw_only=True):
    active: bool
    changed_at: datetime | None = None
    preset: ShieldGatesView  # what switching on applies
    sweep_enabled: bool
    last_swept: Count | None = None  # users the last switch-on's sweep timed out


class ShieldSwitch(Contract):
    """`POST /admin/shield`: on or off, and why (audited)."""

    active: bool
    reason: Reason
