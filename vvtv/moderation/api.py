"""Moderation routes: filing reports and reading one's warnings (any signed-in user, on their own
behalf only), and the moderators' console (mods and admins): the queue, a report in its context,
claims, decisions one by one or in bulk, and one account's history."""

from __future__ import annotations

from quart import Blueprint

from vvtv.contracts.identity import Empty
from vvtv.contracts.moderation import BulkDecision
from vvtv.contracts.moderation import Decision
from vvtv.contracts.moderation import DecisionView
from vvtv.contracts.moderation import HistoryQuery
from vvtv.contracts.moderation import ReportDetail
from vvtv.contracts.moderation import ReportFiling
from vvtv.contracts.moderation import ReportPage
from vvtv.contracts.moderation import ReportQuery
from vvtv.contracts.moderation import ReportReasons
from vvtv.contracts.moderation import ReportReceipt
from vvtv.contracts.moderation import ReportView
from vvtv.contracts.moderation import UserHistory
from vvtv.contracts.moderation import WarningList
from vvtv.moderation.service import Moderation
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.routing import current_principal


def routes(moderation: Moderation, guard: Guard) -> Blueprint:
    api = Routes("moderation", __name__, guard)

    @api.get("/reports/reasons", access="user")
    async def reasons() -> ReportReasons:
        """The reasons a report may give, in the order to offer them (config)."""
        return moderation.reasons()

    @api.post("/reports", access="user", status=201, errors=[404, 429])
    async def file_report(body: ReportFiling) -> ReportReceipt:
        """Report someone from where you met them (MOD-1, MOD-5): moderators see who, where and
        why; for chat, the messages named by id in a thread you take part in; a `session_id`
        must be a session you take or took part in (else 400 `invalid_report`). Over
        `reports.file_rate`, 429 `report_rate_limited` with `Retry-After`."""
        return await moderation.file(current_principal(), body)

    @api.get("/moderation/warnings", access="user")
    async def warnings() -> WarningList:
        """The caller's warnings from moderators, not yet acknowledged."""
        return await moderation.warnings(current_principal())

    @api.post("/moderation/warnings/<int:warning_id>/seen", access="user", errors=[404])
    async def warning_seen(body: Empty, warning_id: int) -> WarningList:
        """Acknowledge one of the caller's warnings; someone else's is a 404."""
        return await moderation.seen(current_principal(), warning_id)

    @api.get("/admin/reports", access="mod")
    async def queue(query: ReportQuery) -> ReportPage:
        """The report queue, oldest first, by status, reason, context or account."""
        return await moderation.queue(query)

    @api.get("/admin/reports/<int:report_id>", access="mod", errors=[404])
    async def detail(report_id: int) -> ReportDetail:
        """A report in its context: the account, its open reports, the reported messages."""
        return await moderation.detail(report_id)

    @api.post("/admin/reports/<int:report_id>/claim", access="mod", errors=[404, 409])
    async def claim(body: Empty, report_id: int) -> ReportView:
        """Take a report: the other moderators see it is yours (409 if someone has it)."""
        return await moderation.claim(current_principal(), report_id)

    @api.post("/admin/reports/<int:report_id>/decision", access="mod", errors=[404, 409])
    async def decide(body: Decision, report_id: int) -> DecisionView:
        """Dismiss, warn, quarantine, shadow-quarantine or ban (timed or for good), with a
        reason; audited (TEL-6)."""
        return await moderation.decide(current_principal(), report_id, body)

    @api.post("/admin/reports/bulk", access="mod")
    async def decide_bulk(body: BulkDecision) -> DecisionView:
        """One decision over many reports (a raid): each reported account once."""
        return await moderation.decide_bulk(current_principal(), body)

    @api.get("/admin/users/<user_id>/history", access="mod", errors=[404])
    async def history(query: HistoryQuery, user_id: str) -> UserHistory:
        """Every audited decision about one account, newest first (TEL-6)."""
        return await moderation.history(user_id, query)

    return api.blueprint
