"""Who may try a password now: the sign-in lockout policy, as pure rules over sliding windows.

- An attempt counts as a failure from the moment it is admitted, before its password is checked,
  so concurrent guesses cannot all pass one check; a success or a withdrawal takes it back.
- A known device (one whose device id signed in to the account before) is counted only in its own
  window for that account: strangers' failures never lock its owner out, its typos lock only it.
- Any other source is counted per (account, address), per account over every address, and per
  address over every account. One address guessing locks itself out of that account; only many
  addresses together lock new devices out of it; an address spraying handles is stopped anyway.
- At most `max_in_flight` password checks of one account run at once, per kind of source (known
  devices each, the rest together); more at that moment are refused as busy and not counted.
"""

from __future__ import annotations

from typing import Literal

from vvtv.domain.rate_limit import Limit
from vvtv.domain.values import frozen

WindowKey = tuple[str, ...]
Outcome = Literal["failed", "succeeded", "withdrawn"]


@frozen
class LoginPolicy:
    per_account: Limit
    per_account_and_address: Limit
    per_known_device: Limit
    per_address: Limit
    max_in_flight: int


@frozen
class Source:
    """Who is trying: the handle as typed, the client address, and the device if it is known."""

    handle: str
    address: str
    known_device: str | None = None

    @property
    def account(self) -> str:
        return self.handle.lower()


def windows(source: Source) -> tuple[WindowKey, ...]:
    """The windows an attempt from `source` is counted in (and refused by when one is full)."""
    if source.known_device is not None:
        return (("device", source.account, source.known_device),)
    return (
        ("account_address", source.account, source.address),
        ("account", source.account),
        ("address", source.address),
    )


def limit_of(window: WindowKey, policy: LoginPolicy) -> Limit:
    kind = window[0]
    if kind == "device":
        return policy.per_known_device
    if kind == "account_address":
        return policy.per_account_and_address
    if kind == "account":
        return policy.per_account
    return policy.per_address


def in_flight_key(source: Source) -> WindowKey:
    """Whose password checks share the `max_in_flight` bound."""
    if source.known_device is not None:
        return ("device", source.account, source.known_device)
    return ("account", source.account)


def cleared_by_success(source: Source) -> tuple[WindowKey, ...]:
    """Windows a correct password wipes: only the proven source's own (a success from one address
    must not give strangers elsewhere a fresh budget)."""
    if source.known_device is not None:
        return (("device", source.account, source.known_device),)
    return (("account_address", source.account, source.address),)
