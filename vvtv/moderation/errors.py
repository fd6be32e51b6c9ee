"""The moderation context's refusals, in the one `vvtv.errors` hierarchy."""

from __future__ import annotations

from vvtv.errors import BadRequest
from vvtv.errors import Conflict
from vvtv.errors import NotFound
from vvtv.errors import TooManyRequests


class ReportNotFound(NotFound):
    """No such report (moderators only ever see reports by id)."""

    code = "report_not_found"


class InvalidReport(BadRequest):
    """A report that cannot be filed as it is: yourself, a reason not offered, a thread or a
    session you are not (and were not) in, or messages not in the thread."""

    code = "invalid_report"


class ReportRateLimited(TooManyRequests):
    """More reports than `reports.file_rate` allows one reporter: `retry_after_s` says when the
    next may be filed."""

    code = "report_rate_limited"


class ClaimedByOther(Conflict):
    """Another moderator has claimed the report: they decide it."""

    code = "claimed_by_other"


class AlreadyDecided(Conflict):
    """The report was decided already; its decision stands (and is in the user's history)."""

    code = "already_decided"


class InvalidDecision(BadRequest):
    """A decision that cannot be made as asked: a duration on anything but a ban, a ban longer
    than config allows, a bulk list longer than config allows."""

    code = "invalid_decision"


class InvalidQuery(BadRequest):
    """A page larger than config allows."""

    code = "invalid_query"


class WarningNotFound(NotFound):
    """No such warning of yours."""

    code = "warning_not_found"
