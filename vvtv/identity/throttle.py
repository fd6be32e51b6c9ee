"""Sign-in throttling: holds the windows and in-flight counts of `vvtv.domain.login_throttle`.

`begin` decides and reserves in one synchronous step (no checkpoint), so requests running
concurrently on the trio loop are each admitted against the attempts admitted before them.
"""

from __future__ import annotations

from collections import Counter

import trio

from vvtv.config.schema.limits import AttemptLimit
from vvtv.config.schema.limits import LoginLimits
from vvtv.domain.login_throttle import LoginPolicy
from vvtv.domain.login_throttle import Outcome
from vvtv.domain.login_throttle import Source
from vvtv.domain.login_throttle import WindowKey
from vvtv.domain.login_throttle import cleared_by_success
from vvtv.domain.login_throttle import in_flight_key
from vvtv.domain.login_throttle import limit_of
from vvtv.domain.login_throttle import windows
from vvtv.domain.rate_limit import Limit
from vvtv.domain.rate_limit import forget
from vvtv.domain.rate_limit import prune
from vvtv.domain.rate_limit import record
from vvtv.domain.rate_limit import retry_after
from vvtv.domain.values import frozen
from vvtv.identity.errors import LoginBusy
from vvtv.identity.errors import LoginLockedOut

# Pruning walks every window; below this many it is not worth doing on each failure.
_PRUNE_FROM = 1024


def login_policy(limits: LoginLimits) -> LoginPolicy:
    def limit(attempts: AttemptLimit) -> Limit:
        return Limit(attempts.max_attempts, attempts.window_s)

    return LoginPolicy(
        per_account=limit(limits.per_account),
        per_account_and_address=limit(limits.per_account_and_address),
        per_known_device=limit(limits.per_known_device),
        per_address=limit(limits.per_address),
        max_in_flight=limits.max_in_flight_per_account,
    )


@frozen
class Reservation:
    """An admitted attempt, counted until `settle` says how it ended."""

    source: Source
    at: float


class LoginThrottle:
    def __init__(self, policy: LoginPolicy) -> None:
        self._policy = policy
        self._hits: dict[WindowKey, tuple[float, ...]] = {}
        self._in_flight: Counter[WindowKey] = Counter()

    def begin(self, source: Source, busy_retry_after_s: float) -> Reservation:
        """Admit one attempt and count it at once, or refuse it: `LoginLockedOut` while one of its
        windows is full, `LoginBusy` while the account's checks are in flight."""
        now = trio.current_time()
        policy = self._policy
        counted = windows(source)
        waits = [
            wait
            for key in counted
            if (wait := retry_after(self._hits.get(key, ()), now, limit_of(key, policy)))
            is not None
        ]
        if waits:
            wait = max(waits)
            raise LoginLockedOut(
                f"Too many failed sign-ins; try again in {int(wait) + 1} s.", retry_after_s=wait
            )
        flight = in_flight_key(source)
        if self._in_flight[flight] >= policy.max_in_flight:
            raise LoginBusy(
                "This account's sign-ins are being checked; try again in a moment.",
                retry_after_s=busy_retry_after_s,
            )
        self._in_flight[flight] += 1
        for key in counted:
            self._hits[key] = record(self._hits.get(key, ()), now, limit_of(key, policy))
        return Reservation(source, now)

    def settle(self, reservation: Reservation, outcome: Outcome) -> None:
        """A failure stays counted; a success or a withdrawal (busy, cancelled) is taken back."""
        source = reservation.source
        flight = in_flight_key(source)
        self._in_flight[flight] -= 1
        if self._in_flight[flight] <= 0:
            del self._in_flight[flight]
        if outcome == "failed":
            self._prune(trio.current_time())
            return
        for key in windows(source):
            if key in self._hits:
                self._hits[key] = forget(self._hits[key], reservation.at)
        if outcome == "succeeded":
            for key in cleared_by_success(source):
                self._hits.pop(key, None)

    def _prune(self, now: float) -> None:
        # Keeps memory bounded by recent failures only.
        if len(self._hits) < _PRUNE_FROM:
            return
        for key in list(self._hits):
            if not prune(self._hits[key], now, limit_of(key, self._policy)):
                del self._hits[key]
