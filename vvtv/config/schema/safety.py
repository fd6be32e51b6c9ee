"""Typed shape of the safety sections of a cost tier: chat auto-moderation's rules and the
Shield Mode preset an operator switches on at once (issue 16). Clamp directions as in
`vvtv.config.schema.limits`."""

from __future__ import annotations

from typing import Annotated
from typing import Literal

from msgspec import Meta

from vvtv.config.schema.frozen import ConfigStruct

_FIXED = Meta(extra={"clamp": "fixed"})
_CEILING = Meta(extra={"clamp": "ceiling"})
_FLOOR = Meta(extra={"clamp": "floor"})

Name = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]


class AutomodRule(ConfigStruct):
    """One rule: its words (`*` at either end: prefix, suffix, infix) and regular expressions,
    matched on the normalised text (vvtv/domain/automod.py), and what a match does."""

    name: Name
    action: Literal["hold", "block", "timeout"]
    words: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


class AutomodLimits(ConfigStruct):
    enabled: Annotated[bool, _FLOOR]  # a protection: a tier may only switch it on
    timeout_s: Annotated[
        float, Meta(gt=0), _FLOOR
    ]  # a `timeout` rule silences its author this long
    held_page_max: Annotated[int, Meta(gt=0), _CEILING]  # held messages one `GET /mod/held` lists
    rules: Annotated[tuple[AutomodRule, ...], _FIXED]


class ShieldSweep(ConfigStruct):
    """On switching Shield on: who posted a listed term within `window_s` is timed out."""

    enabled: Annotated[bool, _FLOOR]
    window_s: Annotated[float, Meta(gt=0), _FLOOR]
    timeout_s: Annotated[float, Meta(gt=0), _FLOOR]
    terms: Annotated[tuple[str, ...], _FIXED]  # words as automod reads them (`*` wildcards)


class ShieldPreset(ConfigStruct):
    """What Shield Mode applies while it is on, and reverts exactly when it is off. "New" is the
    new-account quarantine (anti_abuse.quarantine.account_age_days): those are the unverified."""

    new_accounts_chat: Annotated[bool, _CEILING]  # false: new accounts read but do not write
    new_accounts_invite: Annotated[bool, _CEILING]  # false: new accounts invite nobody
    random_min_account_age_days: Annotated[float, Meta(ge=0), _FLOOR]
    slow_mode_s: Annotated[float, Meta(ge=0), _FLOOR]  # per user, in rooms; 0: none
    # Followers-only style: accounts younger than this read the live room but do not write.
    live_room_min_account_age_days: Annotated[float, Meta(ge=0), _FLOOR]
    live_rooms: Annotated[tuple[str, ...], _FIXED]  # the chat scopes that gate applies to
    blur_new_tiles: Annotated[bool, _FLOOR]  # tiles of new accounts blurred for viewers
    sweep: ShieldSweep
