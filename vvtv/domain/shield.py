"""Shield Mode's rules (issue 16): what is in force while the operator's switch is on, as one
value the contexts consult. Off, every gate is `OPEN`, the product's ordinary behaviour, so
switching off reverts exactly what switching on applied and nothing else."""

from __future__ import annotations

from typing import Literal

from vvtv.domain.values import frozen


@frozen
class Gates:
    """What Shield Mode holds: the defaults are Shield off; switched on, config's `shield` preset
    (read into this same value: what the operator configures is what is in force)."""

    new_accounts_chat: bool = True
    new_accounts_invite: bool = True
    random_min_account_age_days: float = 0.0
    slow_mode_s: float = 0.0  # per user, in rooms
    live_room_min_account_age_days: float = 0.0
    live_rooms: frozenset[str] = frozenset()
    blur_new_tiles: bool = False


OPEN = Gates()


def gates(preset: Gates, on: bool) -> Gates:
    """What is in force with the switch `on` (config's `shield` preset) or off."""
    return preset if on else OPEN


ChatRefusal = Literal["shield_new_accounts", "shield_room_gate"]


def chat_refusal(
    gates: Gates, *, new_account: bool, account_age_days: float, scope: str
) -> ChatRefusal | None:
    """Why Shield keeps a user from writing in `scope`, or None."""
    if new_account and not gates.new_accounts_chat:
        return "shield_new_accounts"
    if scope in gates.live_rooms and account_age_days < gates.live_room_min_account_age_days:
        return "shield_room_gate"
    return None
