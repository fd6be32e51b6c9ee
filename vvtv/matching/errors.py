"""The matching context's refusals, in the one `vvtv.errors` hierarchy: each anti-abuse rule is a
429 with its code and the wait the UI counts down (ABU-7)."""

from __future__ import annotations

from vvtv.errors import BadRequest
from vvtv.errors import Conflict
from vvtv.errors import Forbidden
from vvtv.errors import TooManyRequests
from vvtv.errors import Unavailable


class CoolingDown(TooManyRequests):
    """Quick skips earn a cooldown (ABU-1); leaving does not shorten it."""

    code = "cooldown"


class TooEarly(TooManyRequests):
    """A skip before min_time_before_skip_ms (ABU-2)."""

    code = "too_early"


class HourlyCap(TooManyRequests):
    """As many matches this hour as the cap allows, fewer for a new account (ABU-4/5)."""

    code = "hourly_cap"


class ReconnectBudget(TooManyRequests):
    """Joining again too soon, or too often, after leaving (ABU-3)."""

    code = "reconnect_budget"


class SkipKillSwitch(TooManyRequests):
    """More skips a minute than kill_switches.max_skips_per_minute (ABU-6)."""

    code = "kill_switch"


class InMatch(Conflict):
    code = "in_match"


class NotInCall(Conflict):
    code = "not_in_call"


class RandomClosed(Unavailable):
    """The operator switched Random off (feature flag, block_new_random_sessions), or the
    kill-switch ladder paused it (`random_paused`, or `new_calls_refused`). No wait is given: it
    reopens when the load falls, not at a time."""

    code = "random_closed"


class TooManyTags(BadRequest):
    code = "too_many_tags"


class AccountTooNew(Forbidden):
    """Shield Mode keeps Random for accounts at least `random_min_account_age_days` old."""

    code = "shield_account_age"
