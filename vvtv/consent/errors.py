"""The consent context's refusals, in the one `vvtv.errors` hierarchy."""

from __future__ import annotations

from vvtv.errors import BadRequest
from vvtv.errors import Conflict
from vvtv.errors import Forbidden
from vvtv.errors import NotFound
from vvtv.errors import TooManyRequests


class Blocked(Forbidden):
    """A block stands between the two users, either way (MOD-2): no invite either way."""

    code = "blocked"


class Unavailable(Forbidden):
    """The invitee may not be invited (a ban): said without saying why."""

    code = "user_unavailable"


class SelfInvite(BadRequest):
    code = "self_invite"


class InvitePending(Conflict):
    """CNS-5 `refuse`: they are already asked another invite, or you already invited them."""

    code = "invite_pending"


class InviteQueueFull(Conflict):
    """CNS-5 `queue`: too many invites already wait for them."""

    code = "invite_queue_full"


class InviteQueued(Conflict):
    """Not asked yet: it waits behind another invite to the same user."""

    code = "invite_queued"


class InviteAnswered(Conflict):
    """Already answered (on another device, perhaps: the first answer wins, OPS-5)."""

    code = "invite_answered"


class InviteExpired(Conflict):
    code = "invite_expired"


class InviteCancelled(Conflict):
    code = "invite_cancelled"


class UnknownInvite(NotFound):
    """No such invite, or not one of yours: an outsider learns nothing of other people's."""

    code = "unknown_invite"


class NotInvitee(Forbidden):
    code = "not_invitee"


class NotInviter(Forbidden):
    code = "not_inviter"


class InviteRateLimited(TooManyRequests):
    """Invite spam: more than consent.invites_per_minute."""

    code = "rate_limited"


class QuarantinedInvite(Forbidden):
    """A quarantined account (new, or by a moderator) invites only quarantined accounts (MOD-6,
    by config)."""

    code = "quarantine_invite"


class ShieldGated(Forbidden):
    """Shield Mode keeps new accounts from inviting for now (`shield_new_accounts`)."""

    code = "shield_gated"
