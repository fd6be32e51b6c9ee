"""Login throttling per account and per client address (figures from config).

State is in memory and mutated without awaiting between check and record, so concurrent
requests on the trio loop cannot interleave inside one decision.
"""

from __future__ import annotations

import trio

from vvtv.config.schema.limits import LoginLimits
from vvtv.domain.rate_limit import Limit, prune, record, retry_after
from vvtv.errors import TooManyRequests


class LoginThrottle:
    def __init__(self, limits: LoginLimits) -> None:
        self._account = Limit(limits.per_account.max_attempts, limits.per_account.window_s)
        self._address = Limit(limits.per_address.max_attempts, limits.per_address.window_s)
        self._failures: dict[tuple[str, str], tuple[float, ...]] = {}

    def check(self, handle: str, address: str) -> None:
        """Raise TooManyRequests while either the account or the address is over its limit."""
        now = trio.current_time()
        waits = [
            wait
            for key, limit in (
                (("account", handle.lower()), self._account),
                (("address", address), self._address),
            )
            if (wait := retry_after(self._failures.get(key, ()), now, limit)) is not None
        ]
        if waits:
            wait = max(waits)
            raise TooManyRequests(
                f"Too many failed sign-ins; try again in {int(wait) + 1} s.",
                retry_after_s=wait,
                code="login_rate_limited",
            )

    def failed(self, handle: str, address: str) -> None:
        now = trio.current_time()
        for key, limit in (
            (("account", handle.lower()), self._account),
            (("address", address), self._address),
        ):
            self._failures[key] = record(self._failures.get(key, ()), now, limit)
        self._forget_stale(now)

    def succeeded(self, handle: str) -> None:
        self._failures.pop(("account", handle.lower()), None)

    def _forget_stale(self, now: float) -> None:
        # Keeps memory bounded by recent failures only.
        if len(self._failures) < 1024:
            return
        for key in list(self._failures):
            limit = self._account if key[0] == "account" else self._address
            if not prune(self._failures[key], now, limit):
                del self._failures[key]
