"""A held message's life (issue 16): auto-moderation holds it, then one moderator decides it once.

status     Approve                          Reject
held       approved: delivered into its     rejected: never delivered; its author
           thread as a chat message, by     may be told it was not posted
           its original author
approved   refused (already_decided)        refused (already_decided)
rejected   refused (already_decided)        refused (already_decided)
"""

from __future__ import annotations

from vvtv.contracts.chat import HeldAction
from vvtv.contracts.chat import HeldStatus

OUTCOME: dict[HeldAction, HeldStatus] = {"approve": "approved", "reject": "rejected"}


def decided(status: HeldStatus, action: HeldAction) -> HeldStatus | None:
    """The status `action` moves a held message to, or None when it was decided already."""
    return OUTCOME[action] if status == "held" else None
