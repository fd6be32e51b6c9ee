"""Reports and the moderators' console on the wire (MOD-1, MOD-3..5, TEL-6): filing a report
from any context, the queue with its filters and claims, a report's context, decisions (one or in
bulk for a raid), one history per user, and the warnings a user is shown. The `moderation.warning`
socket event is in `vvtv.contracts.events`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from typing import Final
from typing import Literal

import msgspec

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.base import Serial
from vvtv.contracts.chat import ChatMessageView
from vvtv.contracts.chat import ReasonCode
from vvtv.contracts.chat import ReportedIds
from vvtv.contracts.identity import AuditEntry
from vvtv.contracts.identity import Reason
from vvtv.contracts.identity import UserView
from vvtv.contracts.sessions import Id
from vvtv.contracts.sessions import Name

# Bounds of what may reach the server at all; config's `reports` section is the policy within.
BULK_MAX: Final = 1000
PAGE_MAX: Final = 500

# Where the report was made (MOD-5): each surface that shows someone has Report + Block.
ReportContext = Literal["profile_card", "chat", "random", "private_call", "live", "tile"]
ReportStatus = Literal["open", "claimed", "decided"]
# Who raised a report: a person (its `reporter`), or the SFU's automated frame checks (no reporter;
# their `score`).
RaisedBy = Literal["person", "frame_check"]
ModerationAction = Literal["dismiss", "warn", "quarantine", "shadow_quarantine", "ban"]
PageLimit = Annotated[int, msgspec.Meta(ge=1, le=PAGE_MAX)]


class ReportFiling(Contract):
    """`POST /reports`: report someone from where you met them (MOD-1, MOD-5). A chat report names
    the thread and its messages by id (`POST /chat/{thread_id}/report` is the same, by thread)."""

    target_user_id: Id
    reason_code: ReasonCode
    context: ReportContext
    session_id: Id | None = None
    thread_id: Id | None = None
    mode_id: Name | None = None
    message_ids: ReportedIds = []


class ReportReceipt(Contract):
    report_id: Serial


class ReportReasons(Contract):
    """`GET /reports/reasons`: the reasons offered, in the order to show them (config)."""

    reason_codes: list[ReasonCode]


class Person(Contract):
    user_id: Id
    handle: str | None  # None: the account is gone


class ReportView(Contract):
    id: Serial
    created_at: datetime
    status: ReportStatus
    reason_code: str
    context: ReportContext
    reporter: Person | None  # None: raised by the frame checks
    target: Person
    session_id: str | None = None
    thread_id: str | None = None
    mode_id: str | None = None
    message_ids: list[str] = []
    claimed_by: Person | None = None
    decided_by: Person | None = None
    decision: ModerationAction | None = None
    # The reported stream's last still, while kept for review (TEL-3); None where there is none.
    still_id: str | None = None
    still_expires_at: datetime | None = None
    raised_by: RaisedBy = "person"
    score: float | None = None  # a frame check's score (0..1) of the reported still


class ReportQuery(Contract):
    """`GET /admin/reports`: the queue, oldest first (first come, first served); each filter
    narrows it; page with `after_id`."""

    status: ReportStatus | None = None
    reason_code: ReasonCode | None = None
    context: ReportContext | None = None
    raised_by: RaisedBy | None = None
    target_user_id: Id | None = None
    after_id: Count | None = None
    limit: PageLimit | None = None  # default and ceiling from config


class ReportPage(Contract):
    reports: list[ReportView]
    next_after_id: Serial | None = None  # None: nothing further


class ReportDetail(Contract):
    """A report in its context: the account, how often it was reported, and for chat the
    reported messages themselves (moderators read them; nothing else logs them, TEL-3)."""

    report: ReportView
    target: UserView
    open_reports_of_target: Count
    messages: list[ChatMessageView] = []


class Decision(Contract):
    """`POST /admin/reports/{id}/decision`: what to do about the reported account, and why."""

    action: ModerationAction
    reason: Reason
    # A ban's length (at most auth.ban_max_duration_s) or a quarantine's (at most
    # anti_abuse.quarantine.decision_max_s); None: for good, or until lifted.
    duration_s: Serial | None = None


class BulkDecision(Contract):
    """`POST /admin/reports/bulk`: one decision over many reports (a raid): each reported account
    once; reports another moderator holds, or decided already, are left as they are."""

    report_ids: Annotated[list[Serial], msgspec.Meta(min_length=1, max_length=BULK_MAX)]
    action: ModerationAction
    reason: Reason
    duration_s: Serial | None = None


class DecisionView(Contract, kw_only=True):
    action: ModerationAction
    decided: list[Serial]  # the reports decided now
    skipped: list[Serial] = []  # another's claim, decided before, or unknown
    target_user_ids: list[Id]  # the accounts acted on


class HistoryQuery(Contract):
    before_id: Serial | None = None
    limit: PageLimit | None = None


class UserHistory(Contract):
    """`GET /admin/users/{id}/history`: every audited decision about one account, newest first
    (reports filed against it, warnings, quarantines, bans and their lifting; TEL-6)."""

    user: UserView
    entries: list[AuditEntry]
    next_before_id: Serial | None = None


class WarningView(Contract):
    id: Serial
    reason: str
    at: datetime


class WarningList(Contract):
    """`GET /moderation/warnings`: the caller's warnings not yet acknowledged."""

    warnings: list[WarningView]
