"""Chat on the wire (CHT-1..4, MOD-1): one thread model for every scope, its messages ordered by a
per-thread sequence (a reconnecting client resumes after the last `seq` it has), history pages
and reports. The socket events are in `vvtv.contracts.events` (`chat.*`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from typing import Final
from typing import Literal

import msgspec

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.base import Serial
from vvtv.contracts.identity import Reason
from vvtv.contracts.sessions import Id
from vvtv.contracts.sessions import Name

# Bounds of what may reach the server at all; the policy (each scope's length cap, the history's
# page size) is config's `chat` section, which the validator holds within these.
BODY_MAX: Final = 2000
HISTORY_PAGE_MAX: Final = 500
REPORT_MESSAGES_MAX: Final = 100

ChatScope = Literal["private_1to1", "room", "performer_room", "live_public"]
# Every reason a report may give (MOD-1); config's `reports.reason_codes` offers them, in order
# (the frame checks report one of them too, `media.frame_checks.report_reason`).
ReasonCode = Literal["spam", "harassment", "hate", "sexual_content", "minor_safety", "other"]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=BODY_MAX)]
ClientId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
RoomKey = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9_:-]*$",
        description="Which room of the scope: `party`, a performer's id, a live's id",
    ),
]
HistoryLimit = Annotated[int, msgspec.Meta(ge=1, le=HISTORY_PAGE_MAX)]
ReportedIds = Annotated[list[Id], msgspec.Meta(max_length=REPORT_MESSAGES_MAX)]


class ChatThreadOpen(Contract):
    """`POST /chat/thread`: `peer_user_id` for `private_1to1` (the same pair always gets the same
    thread back, CHT-1), `room` for the other scopes (joining the room's one thread)."""

    scope: ChatScope
    peer_user_id: Id | None = None
    room: RoomKey | None = None


class ChatThreadView(Contract, kw_only=True):
    thread_id: Id
    scope: ChatScope
    room: RoomKey | None = None
    participants: list[Id] = []  # a private thread's pair; empty for rooms
    last_seq: Count  # the newest message's seq (0: none yet)
    created_at: datetime
    reopened: bool = False  # the thread existed before this call


class ChatMessageView(Contract):
    thread_id: Id
    seq: Serial  # 1, 2, 3 … per thread, no gaps: resume with after_seq = the last one seen
    message_id: Id
    author_id: Id
    body: Body
    sent_at: datetime
    client_id: ClientId | None = None  # the sender's own id for it, echoed (dedup on its side)
    # The author's handle as of reading (rooms show no presence to name them by); None once the
    # account is gone. Not stored: a renamed author is named as they are now.
    author_handle: str | None = None


class ChatPost(Contract):
    """`POST /chat/{thread_id}/messages`: the same as a socket's `chat.send`."""

    body: Body
    client_id: ClientId | None = None


class ChatHistoryQuery(Contract):
    """`GET /chat/{thread_id}/messages`: the newest page, older ones with `before_seq`, or what
    came after `after_seq` (resume after a reconnect), oldest first; not both."""

    before_seq: Serial | None = None
    after_seq: Count | None = None
    limit: HistoryLimit | None = None  # default and ceiling from config


class ChatHistoryPage(Contract):
    thread_id: Id
    messages: list[ChatMessageView]  # ascending seq
    last_seq: Count  # the thread's newest seq now
    has_more: bool  # more in the direction asked (older for before_seq, newer for after_seq)


class ChatReport(Contract):
    """`POST /chat/{thread_id}/report` (MOD-1): the metadata moderators need, never the bodies."""

    reason_code: ReasonCode
    message_ids: ReportedIds = []
    session_id: Id | None = None
    mode_id: Name | None = None


class ChatReportReceipt(Contract):
    report_id: Serial


# Where a held message stands: waiting for a moderator, or decided once (issue 16).
HeldStatus = Literal["held", "approved", "rejected"]
HeldAction = Literal["approve", "reject"]


class HeldMessageView(Contract, kw_only=True):
    """A message chat auto-moderation held for review (`hold` rules), as moderators see it."""

    id: Serial
    thread_id: Id
    scope: ChatScope
    author_id: Id
    author_handle: str | None = None
    body: Body
    rule: str  # the config rule that held it
    created_at: datetime
    status: HeldStatus = "held"
    decided_by: Id | None = None  # the moderator who approved or rejected it
    decided_at: datetime | None = None
    message_id: Id | None = None  # approved: the chat message it was delivered as


class HeldMessagesQuery(Contract):
    status: HeldStatus = "held"  # what still waits for a decision, unless asked otherwise
    before_id: Serial | None = None  # the next page: the last id seen
    limit: HistoryLimit | None = None  # default and ceiling: chat.automod.held_page_max


class HeldDecision(Contract):
    """`POST /mod/held/{held_id}/decision`: approve (the message is delivered into its thread as
    if it had passed, by its author) or reject (it never is; its author is told it was not
    posted). The reason, if given, goes to the audit log; the rule that held it otherwise."""

    action: HeldAction
    reason: Reason | None = None


class HeldMessages(Contract):
    """`GET /mod/held`: newest first."""

    messages: list[HeldMessageView]
