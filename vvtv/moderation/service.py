"""The moderation service: the one entry point of the report routes and the moderators' console.

Filing (MOD-1, MOD-5): a report from any context, checked against config's reasons, against the
thread (chat) and the session the reporter takes part or took part in, and against the reporter's
filing rate (`reports.file_rate`, over the one sliding-window primitive: beyond it, 429
`report_rate_limited` with its wait); stored with its audit entry. Where the context is
video, the `StillSource` port gives the reported stream's last sampled still (the SFU's frame
checks fill it; kept for review only until `reports.still_ttl_s`, TEL-3). The frame checks raise
reports of their own into the same queue (`raise_automated`): no reporter, their score and still.

The console (MOD-3/4, TEL-6): the queue with filters, a report in its context, claims (one report
actor each: two moderators at once, the first wins), decisions made through identity's own ban,
quarantine and shadow-quarantine operations, each one audited decision in the one audit log,
which is also every account's history."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import msgspec
import trio

from vvtv.actors import Registry
from vvtv.config import ConfigBundle
from vvtv.config.schema.modes import Policies
from vvtv.contracts.chat import ChatMessageView
from vvtv.contracts.events import ModerationWarning
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.identity import AuditEntry
from vvtv.contracts.identity import BanRequest
from vvtv.contracts.moderation import BulkDecision
from vvtv.contracts.moderation import Decision
from vvtv.contracts.moderation import DecisionView
from vvtv.contracts.moderation import HistoryQuery
from vvtv.contracts.moderation import ModerationAction
from vvtv.contracts.moderation import ReportDetail
from vvtv.contracts.moderation import ReportFiling
from vvtv.contracts.moderation import ReportPage
from vvtv.contracts.moderation import ReportQuery
from vvtv.contracts.moderation import ReportReasons
from vvtv.contracts.moderation import ReportReceipt
from vvtv.contracts.moderation import ReportView
from vvtv.contracts.moderation import UserHistory
from vvtv.contracts.moderation import WarningList
from vvtv.domain.accounts import Principal
from vvtv.domain.moderation.decisions import TIMED
from vvtv.domain.moderation.decisions import Ban
from vvtv.domain.moderation.decisions import Quarantine
from vvtv.domain.moderation.decisions import ShadowQuarantine
from vvtv.domain.moderation.decisions import Warn
from vvtv.domain.moderation.decisions import steps
from vvtv.domain.moderation.decisions import targets_in_order
from vvtv.domain.moderation.reports import Claim
from vvtv.domain.moderation.reports import Decide
from vvtv.domain.moderation.reports import Place
from vvtv.domain.moderation.reports import Report
from vvtv.domain.moderation.reports import Still
from vvtv.domain.moderation.reports import still_expiry
from vvtv.domain.moderation.reports import stream_context
from vvtv.domain.rate_limit import Limit
from vvtv.domain.rate_limit import prune
from vvtv.domain.rate_limit import record
from vvtv.domain.rate_limit import retry_after
from vvtv.errors import VvtvError
from vvtv.moderation.actor import KIND
from vvtv.moderation.actor import ModerationPorts
from vvtv.moderation.actor import ReportActor
from vvtv.moderation.errors import InvalidDecision
from vvtv.moderation.errors import InvalidQuery
from vvtv.moderation.errors import InvalidReport
from vvtv.moderation.errors import ReportNotFound
from vvtv.moderation.errors import ReportRateLimited
from vvtv.moderation.errors import WarningNotFound
from vvtv.moderation.ports import Conversations
from vvtv.moderation.ports import People
from vvtv.moderation.ports import SampledStill
from vvtv.moderation.ports import Sessions
from vvtv.moderation.ports import StillSource
from vvtv.moderation.ports import no_stills
from vvtv.moderation.store import QueueFilter
from vvtv.moderation.views import report_view
from vvtv.observability.audit import AuditLog
from vvtv.observability.audit import AuditRecord
from vvtv.observability.events import ServerEvents

log = logging.getLogger(__name__)
# Where a report was made, in telemetry's words (report_submitted.context).
_VIDEO_CONTEXTS = frozenset({"random", "private_call", "live", "tile"})


class Moderation:
    def __init__(
        self,
        registry: Registry,
        config: ConfigBundle,
        ports: ModerationPorts,
        people: People,
        conversations: Conversations,
        sessions: Sessions,
        audit: AuditLog,
        push: Callable[[str, ServerEvent], None],
        events: ServerEvents | None = None,
        stills: StillSource = no_stills,
    ) -> None:
        self._registry = registry
        self._limits = config.limits.reports
        self._modes = config.modes.modes
        self._max_messages = config.limits.chat.max_report_messages
        self._ban_max_s = config.limits.auth.ban_max_duration_s
        self._quarantine_max_s = config.limits.anti_abuse.quarantine.decision_max_s
        self._ports = ports
        self._people = people
        self._conversations = conversations
        self._sessions = sessions
        rate = self._limits.file_rate
        self._file_rate = Limit(rate.max, rate.window_s)
        self._filings: dict[str, tuple[float, ...]] = {}  # each reporter's recent ones, trio time
        self._pruned_at = trio.current_time()
        self._audit = audit
        self._push = push
        self._events = events  # report_submitted (TEL-1)
        self._stills = stills
        registry.register(KIND, lambda report_id: ReportActor(report_id, ports))

    async def load(self) -> None:
        """At start: the open queue's length for its gauge, and drop stills past their time."""
        await self._ports.store.drop_expired_stills(self._ports.clock())
        self._ports.metrics.open.set(await self._ports.store.waiting())

    # -- filing (MOD-1, MOD-5) -------------------------------------------------------------------

    def reasons(self) -> ReportReasons:
        return ReportReasons(reason_codes=list(self._limits.reason_codes))

    async def file(self, principal: Principal, filing: ReportFiling) -> ReportReceipt:
        me = principal.user_id
        self._people.user_view(filing.target_user_id)  # unknown: 404 before anything else
        if filing.target_user_id == me:
            raise InvalidReport("You cannot report yourself.", path="target_user_id")
        if filing.reason_code not in self._limits.reason_codes:
            offered = ", ".join(self._limits.reason_codes)
            raise InvalidReport(f"Give one of the reasons offered: {offered}.", path="reason_code")
        if len(filing.message_ids) > self._max_messages:
            raise InvalidReport(
                f"A report names at most {self._max_messages} messages.", path="message_ids"
            )
        if filing.message_ids and filing.thread_id is None:
            raise InvalidReport("Reported messages need their `thread_id`.", path="thread_id")
        if filing.thread_id is not None:
            await self._check_thread(me, filing.thread_id, tuple(filing.message_ids))
        if filing.session_id is not None and not await self._sessions.takes_part(
            me, filing.session_id
        ):
            raise InvalidReport("You take or took part in no such session.", path="session_id")
        self._admit(me)
        now = self._ports.clock()
        # Where it was made, as the filing says: kept by the report, told by its audit entry.
        place = msgspec.convert(filing, Place, from_attributes=True)
        report = Report(
            id=0,  # the store numbers it
            created_at=now,
            reporter_id=me,
            target_id=filing.target_user_id,
            reason_code=filing.reason_code,
            place=place,
        )
        audit = AuditRecord(
            at=now,
            actor_id=me,
            action="report.filed",
            target_id=filing.target_user_id,
            reason=filing.reason_code,
            detail=msgspec.to_builtins(place),
        )
        report_id = await self._filed(report, audit)
        if filing.session_id is not None and filing.context in _VIDEO_CONTEXTS:
            sampled = await self._stills(filing.session_id, filing.target_user_id)
            if sampled is not None:
                await self._keep_still(report_id, sampled, now)
        return ReportReceipt(report_id=report_id)

    async def raise_automated(
        self,
        *,
        target_id: str,
        session_id: str,
        mode_id: str,
        reason_code: str,
        score: float,
        still: SampledStill,
    ) -> int:
        """The frame checks report `target_id`'s camera in `session_id` (a session of `mode_id`):
        into the one queue like a person's report, but raised by no one, with the classifier's
        score and the still that scored it. Returns the report's id."""
        now = self._ports.clock()
        # A mode config no longer names (renamed since the session began) has no special policy.
        mode = self._modes.get(mode_id)
        policies = mode.policies if mode is not None else Policies()
        context = stream_context(
            requires_match=policies.requires_match,
            requires_consent=policies.requires_consent,
            live_room=policies.chat_scope == "live_public",
        )
        report = Report(
            id=0,  # the store numbers it
            created_at=now,
            reporter_id=None,
            target_id=target_id,
            reason_code=reason_code,
            place=Place(context, session_id=session_id, mode_id=mode_id),
            source="frame_check",
            score=score,
        )
        audit = AuditRecord(
            at=now,
            actor_id=None,  # the system
            action="report.filed",
            target_id=target_id,
            reason=reason_code,
            detail={
                "raised_by": "frame_check",
                "score": score,
                "context": context,
                "session_id": session_id,
                "mode_id": mode_id,
            },
        )
        report_id = await self._filed(report, audit)
        await self._keep_still(report_id, still, now)
        # What the operator's log may say: who, where, why, never the frame (TEL-3).
        log.warning(
            "frame check reported %s in session %s (score %.2f): report %d",
            target_id,
            session_id,
            score,
            report_id,
        )
        return report_id

    async def _filed(self, report: Report, audit: AuditRecord) -> int:
        """Store a new report with its audit entry, counted (and told, TEL-1)."""
        report_id = await self._ports.store.file(report, audit)
        metrics = self._ports.metrics
        context = report.place.context
        metrics.filed.labels(context, report.reason_code).inc()
        metrics.open.inc()
        if self._events is not None:
            self._events.emit("report_submitted", reason_code=report.reason_code, context=context)
        log.info("report %d filed (%s, %s)", report_id, context, report.reason_code)
        return report_id

    def _admit(self, reporter: str) -> None:
        """Count one filing of `reporter`, or refuse it over `reports.file_rate` (a refused
        filing costs nothing)."""
        now = trio.current_time()
        filed = self._filings.get(reporter, ())
        wait = retry_after(filed, now, self._file_rate)
        if wait is not None:
            self._ports.metrics.rate_limited.inc()
            log.info("reports: %s rate-limited for %.1f s", reporter, wait)
            raise ReportRateLimited(
                f"Too many reports for now: try again in {wait:.0f} s.",
                retry_after_s=round(wait, 3),
            )
        self._filings[reporter] = record(filed, now, self._file_rate)
        if now - self._pruned_at >= self._file_rate.window_s:
            # Forget reporters quiet for a whole window: the map stays as big as the active.
            limit, self._pruned_at = self._file_rate, now
            self._filings = {w: h for w, h in self._filings.items() if prune(h, now, limit)}

    async def _check_thread(self, me: str, thread_id: str, message_ids: tuple[str, ...]) -> None:
        if not await self._conversations.takes_part(me, thread_id):
            raise InvalidReport("You take part in no such thread.", path="thread_id")
        if message_ids:
            found = await self._conversations.messages_by_id(thread_id, message_ids)
            if len(found) != len(set(message_ids)):
                raise InvalidReport(
                    "Some reported messages are not in that thread.", path="message_ids"
                )

    async def _keep_still(self, report_id: int, sampled: SampledStill, now: datetime) -> None:
        """The still goes with the report while `reports.still_ttl_s` after it was taken lasts."""
        still_id, jpeg, taken_at = sampled
        expires_at = still_expiry(taken_at, self._limits.still_ttl_s)
        if expires_at > now:
            await self._ports.store.attach_still(report_id, Still(still_id, jpeg, expires_at))

    # -- the console (MOD-3/4, TEL-6) ------------------------------------------------------------

    async def queue(self, query: ReportQuery) -> ReportPage:
        limit = query.limit or self._limits.queue_page_size
        if limit > self._limits.queue_page_max:
            raise InvalidQuery(
                f"`limit` may be at most {self._limits.queue_page_max}.", path="limit"
            )
        which = QueueFilter(
            status=query.status,
            reason_code=query.reason_code,
            context=query.context,
            source=query.raised_by,
            target_id=query.target_user_id,
        )
        # One more than asked tells whether there is a next page.
        found = await self._ports.store.queue(which, query.after_id or 0, limit + 1)
        page, now = found[:limit], self._ports.clock()
        return ReportPage(
            reports=[report_view(report, self._people.handle_of, now) for report in page],
            next_after_id=page[-1].id if len(found) > limit else None,
        )

    async def detail(self, report_id: int) -> ReportDetail:
        report = await self._ask(report_id, None)
        messages: list[ChatMessageView] = []
        place = report.place
        if place.thread_id is not None and place.message_ids:
            messages = await self._conversations.messages_by_id(place.thread_id, place.message_ids)
        return ReportDetail(
            report=report_view(report, self._people.handle_of, self._ports.clock()),
            target=self._people.user_view(report.target_id),
            open_reports_of_target=await self._ports.store.waiting(report.target_id),
            messages=messages,
        )

    async def claim(self, principal: Principal, report_id: int) -> ReportView:
        claimed = await self._ask(report_id, Claim(principal.user_id, self._ports.clock()))
        return report_view(claimed, self._people.handle_of, self._ports.clock())

    async def decide(self, principal: Principal, report_id: int, body: Decision) -> DecisionView:
        self._check_decision(body.action, body.duration_s)
        # Claimed first: a report another moderator holds, or decided already, is refused
        # before anything is done to the account.
        report = await self._ask(report_id, Claim(principal.user_id, self._ports.clock()))
        await self._act(
            principal, body.action, body.reason, body.duration_s, [report.target_id], [report_id]
        )
        decided = await self._ask(
            report_id, Decide(principal.user_id, body.action, self._ports.clock())
        )
        self._counted(body.action, 1)
        return DecisionView(
            action=body.action, decided=[decided.id], target_user_ids=[decided.target_id]
        )

    async def decide_bulk(self, principal: Principal, body: BulkDecision) -> DecisionView:
        """A raid: each reported account once; a report another moderator holds, or decided
        already, or about an account the moderator may not act on (outranked), is skipped and
        said so."""
        if len(body.report_ids) > self._limits.bulk_max:
            raise InvalidDecision(
                f"Decide at most {self._limits.bulk_max} reports at once.", path="report_ids"
            )
        self._check_decision(body.action, body.duration_s)
        mine: list[Report] = []
        skipped: list[int] = []
        for report_id in dict.fromkeys(body.report_ids):
            try:
                # Claiming first holds each report against another moderator meanwhile.
                mine.append(
                    await self._ask(report_id, Claim(principal.user_id, self._ports.clock()))
                )
            except VvtvError:
                skipped.append(report_id)
        decided: list[int] = []
        acted_on: list[str] = []
        for target in targets_in_order([report.target_id for report in mine]):
            ids = [report.id for report in mine if report.target_id == target]
            try:
                await self._act(principal, body.action, body.reason, body.duration_s, [target], ids)
            except VvtvError:
                skipped += ids  # claimed by this moderator, left undecided for a look
                continue
            for report_id in ids:
                await self._ask(
                    report_id, Decide(principal.user_id, body.action, self._ports.clock())
                )
            decided += ids
            acted_on.append(target)
        self._counted(body.action, len(decided))
        return DecisionView(
            action=body.action, decided=sorted(decided), skipped=skipped, target_user_ids=acted_on
        )

    async def history(self, user_id: str, query: HistoryQuery) -> UserHistory:
        limit = query.limit or self._limits.history_page_max
        if limit > self._limits.history_page_max:
            raise InvalidQuery(
                f"`limit` may be at most {self._limits.history_page_max}.", path="limit"
            )
        user = self._people.user_view(user_id)
        entries = await self._audit.about(user_id, query.before_id, limit)
        return UserHistory(
            user=user,
            entries=[AuditEntry(**msgspec.structs.asdict(entry)) for entry in entries],
            next_before_id=entries[-1].id if len(entries) == limit else None,
        )

    # -- warnings, as their user sees them ---------------------------------------------------------

    async def warnings(self, principal: Principal) -> WarningList:
        found = await self._ports.store.warnings(principal.user_id)
        return WarningList(warnings=found)

    async def seen(self, principal: Principal, warning_id: int) -> WarningList:
        if not await self._ports.store.seen(principal.user_id, warning_id, self._ports.clock()):
            raise WarningNotFound("No such warning of yours.", path="warning_id")
        return await self.warnings(principal)

    # -- inside ----------------------------------------------------------------------------------

    def _check_decision(self, action: ModerationAction, duration_s: int | None) -> None:
        if duration_s is None:
            return
        if action not in TIMED:
            raise InvalidDecision("Only a ban or a quarantine has a duration.", path="duration_s")
        if action == "ban" and duration_s > self._ban_max_s:
            raise InvalidDecision(
                f"A timed ban lasts at most {self._ban_max_s} s; ban for good instead"
                " (no duration_s).",
                path="duration_s",
            )
        if action == "quarantine" and duration_s > self._quarantine_max_s:
            raise InvalidDecision(
                f"A timed quarantine lasts at most {self._quarantine_max_s} s; leave duration_s"
                " out to quarantine until you lift it.",
                path="duration_s",
            )

    async def _act(
        self,
        principal: Principal,
        action: ModerationAction,
        reason: str,
        duration_s: int | None,
        targets: list[str],
        report_ids: list[int],
    ) -> None:
        """Do `action` to each account, then audit the decision once per account (TEL-6): the
        account operations audit themselves too, as every change of an account is."""
        for target in targets:
            for step in steps(action, duration_s):
                match step:
                    case Warn():
                        await self._warn(target, reason)
                    case ShadowQuarantine():
                        await self._people.set_shadow_quarantine(principal, target, True, reason)
                    case Quarantine(duration):
                        await self._people.set_quarantine(principal, target, True, reason, duration)
                    case Ban(duration):
                        body = BanRequest(user_id=target, duration_s=duration, reason=reason)
                        await self._people.ban(principal, body)
            await self._audit.append(
                AuditRecord(
                    at=self._ports.clock(),
                    actor_id=principal.user_id,
                    action=f"moderation.{action}",
                    target_id=target,
                    reason=reason,
                    detail={"report_ids": report_ids, "duration_s": duration_s},
                )
            )

    async def _warn(self, user_id: str, reason: str) -> None:
        at = self._ports.clock()
        warning_id = await self._ports.store.warn(user_id, reason, at)
        # Every open tab sees it now; a tab opened later asks GET /moderation/warnings.
        self._push(user_id, ModerationWarning(id=warning_id, reason=reason, at=at))

    def _counted(self, action: ModerationAction, reports: int) -> None:
        metrics = self._ports.metrics
        metrics.decisions.labels(action).inc()
        metrics.decided_reports.labels(action).inc(reports)
        metrics.open.dec(reports)

    async def _ask(self, report_id: int, message: Claim | Decide | None) -> Report:
        if message is None:
            report = await self._ports.store.get(report_id)
            if report is None:
                raise ReportNotFound("No such report.", path="report_id")
            return report
        answer: Report = await self._registry.ask(KIND, str(report_id), message)
        return answer
