"""What a moderator's decision does to the reported account (MOD-3/4, MOD-6): each action as the
account operations identity already has, so a decision never invents a second way to ban."""

from __future__ import annotations

from vvtv.domain.moderation.reports import Action
from vvtv.domain.values import frozen

# The actions a moderator may give a duration: the rest are done at once, or last until undone.
TIMED: frozenset[Action] = frozenset({"ban", "quarantine"})


@frozen
class Warn:
    """Tell the user why (a notice on their sockets now, and at their next load until seen)."""


@frozen
class ShadowQuarantine:
    """Limit the user without telling them (MOD-4)."""


@frozen
class Quarantine:
    """Limit the user as a new account is, and tell them (MOD-6)."""

    duration_s: int | None  # None: until a moderator lifts it


@frozen
class Ban:
    duration_s: int | None  # None: for good


Step = Warn | ShadowQuarantine | Quarantine | Ban


def steps(action: Action, duration_s: int | None) -> tuple[Step, ...]:
    """The account operations of `action`, in order. A visible quarantine gives the account a new
    account's limits, shown on it (MOD-6), and a warning that says why."""
    match action:
        case "dismiss":
            return ()
        case "warn":
            return (Warn(),)
        case "shadow_quarantine":
            return (ShadowQuarantine(),)
        case "quarantine":
            return (Quarantine(duration_s), Warn())
        case "ban":
            return (Ban(duration_s),)


def targets_in_order(target_ids: list[str]) -> list[str]:
    """Each account once, in the order its first report came: a raid's twenty reports of one
    account make one ban, not twenty."""
    return list(dict.fromkeys(target_ids))
