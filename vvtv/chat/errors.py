"""The chat context's refusals, in the one `vvtv.errors` hierarchy."""

from __future__ import annotations

from vvtv.errors import BadRequest
from vvtv.errors import Conflict
from vvtv.errors import Forbidden
from vvtv.errors import NotFound
from vvtv.errors import TooManyRequests


class ThreadNotFound(NotFound):
    """No such thread, or not one of yours: outsiders learn nothing of other people's threads."""

    code = "thread_not_found"


class RoomNotFound(NotFound):
    """No mode offered here chats in that room and scope: a room is an ecosystem (INV-5)."""

    code = "room_not_found"


class ThreadBlocked(Forbidden):
    """A block stands between you and this user, either way (MOD-2)."""

    code = "blocked"


class InvalidThread(BadRequest):
    """A private thread needs `peer_user_id` (not yourself); a room thread needs `room`."""

    code = "invalid_thread"


class EmptyMessage(BadRequest):
    code = "empty_message"


class MessageTooLong(BadRequest):
    code = "message_too_long"


class LinksNotAllowed(BadRequest):
    code = "links_not_allowed"


class ChatRateLimited(TooManyRequests):
    """The scope's rate limit (CHT-4): `retry_after_s` says when to send again."""

    code = "chat_rate_limited"


class InvalidHistoryQuery(BadRequest):
    code = "invalid_history_query"


class InvalidReport(BadRequest):
    code = "invalid_report"


class ChatTimedOut(TooManyRequests):
    """Timed out of chat (an automod `timeout` rule, Shield Mode's sweep): `retry_after_s` says
    when the author may write again."""

    code = "chat_timed_out"


class MessageHeld(Forbidden):
    """Auto-moderation held the message for a moderator's review; it is not sent meanwhile."""

    code = "message_held"


class MessageBlocked(Forbidden):
    """Auto-moderation refused the message (a `block` rule)."""

    code = "message_blocked"


class ShieldGated(Forbidden):
    """Shield Mode keeps this account from writing here for now (`shield_new_accounts`,
    `shield_room_gate`); it can still read."""

    code = "shield_gated"


class HeldNotFound(NotFound):
    """No message auto-moderation held has that id."""

    code = "held_not_found"


class HeldAlreadyDecided(Conflict):
    """The held message was approved or rejected already; that decision stands (and is in its
    author's history)."""

    code = "already_decided"
