"""The Planner's rules (LAB-1): intentions for the next hours from the catalog, the OwnerCard and
what aired recently. Pure and deterministic for a seed: no IO, no clock, no trio.

An item may air at `t` when its rights cover [t, t + duration], it is no longer than the card's
maximum, it carries one of the daypart's tags (any tag when the daypart names none), it did not
end less than `no_repeat_window_s` before `t`, and adding it keeps every tag within its quota of
the planned airtime.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from collections.abc import Sequence

import msgspec

from vvtv.contracts.lab import Daypart
from vvtv.contracts.lab import MediaItem
from vvtv.contracts.lab import OwnerCard

_DAY_S = 86_400.0


class Airing(msgspec.Struct, frozen=True, kw_only=True):
    """One item on air (planned or past): what the no-repeat rule looks back on."""

    item_id: str
    starts_at: float
    duration_s: float

    @property
    def ends_at(self) -> float:
        return self.starts_at + self.duration_s


class Intention(msgspec.Struct, frozen=True, kw_only=True):
    """'At about `starts_at`, air `item_id`', and why: the daypart and the tags it wanted."""

    slot: int
    starts_at: float
    item_id: str
    duration_s: float
    daypart: str | None
    wanted_tags: tuple[str, ...]
    policy_version: int

    def airing(self) -> Airing:
        return Airing(item_id=self.item_id, starts_at=self.starts_at, duration_s=self.duration_s)


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    intentions: tuple[Intention, ...]
    starts_at: float
    horizon_s: float
    complete: bool  # False: nothing was eligible at some point, the plan stops short there


def daypart_at(card: OwnerCard, at: float) -> Daypart | None:
    """The first daypart whose UTC hours contain `at` (None when the card defines none there)."""
    hour = int((at % _DAY_S) // 3600)
    for part in card.dayparts:
        inside = (
            part.start_hour <= hour < part.end_hour
            if part.start_hour < part.end_hour
            else hour >= part.start_hour or hour < part.end_hour  # wraps past midnight
        )
        if inside:
            return part
    return None


def rights_cover(item: MediaItem, start: float, end: float) -> bool:
    if item.rights_from is not None and item.rights_from.timestamp() > start:
        return False
    return item.rights_until is None or item.rights_until.timestamp() >= end


def _rested(item_id: str, at: float, window_s: float, airings: Sequence[Airing]) -> bool:
    return all(at - airing.ends_at >= window_s for airing in airings if airing.item_id == item_id)


def _within_quotas(
    item: MediaItem, card: OwnerCard, tag_airtime: dict[str, float], horizon_s: float
) -> bool:
    return all(
        tag_airtime.get(quota.tag, 0.0) + item.duration_s <= quota.max_share * horizon_s
        for quota in card.tag_quotas
        if quota.tag in item.tags
    )


def eligible(
    items: Iterable[MediaItem],
    card: OwnerCard,
    at: float,
    airings: Sequence[Airing],
    tag_airtime: dict[str, float] | None = None,
    horizon_s: float | None = None,
) -> list[MediaItem]:
    """Items that may start at `at`, sorted by id (the order the seeded choice draws from)."""
    part = daypart_at(card, at)
    wanted = set(part.tags) if part is not None else set()
    found = []
    for item in items:
        if item.duration_s > card.max_item_duration_s:
            continue
        if wanted and not wanted.intersection(item.tags):
            continue
        if not rights_cover(item, at, at + item.duration_s):
            continue
        if not _rested(item.id, at, card.no_repeat_window_s, airings):
            continue
        if (
            tag_airtime is not None
            and horizon_s is not None
            and not _within_quotas(item, card, tag_airtime, horizon_s)
        ):
            continue
        found.append(item)
    return sorted(found, key=lambda item: item.id)


def plan(
    items: Sequence[MediaItem],
    card: OwnerCard,
    *,
    starts_at: float,
    horizon_s: float,
    seed: int,
    history: Sequence[Airing] = (),
    policy_version: int = 0,
) -> Plan:
    """Fill [starts_at, starts_at + horizon_s) with intentions, back to back."""
    rng = random.Random(seed)
    airings = list(history)
    tag_airtime: dict[str, float] = {}
    intentions: list[Intention] = []
    at = starts_at
    complete = True
    while at < starts_at + horizon_s:
        candidates = eligible(items, card, at, airings, tag_airtime, horizon_s)
        if not candidates:
            complete = False
            break
        # Variety: prefer what has not aired yet in this plan or its history.
        aired_ids = {airing.item_id for airing in airings}
        fresh = [item for item in candidates if item.id not in aired_ids]
        item = rng.choice(fresh or candidates)
        part = daypart_at(card, at)
        intention = Intention(
            slot=len(intentions),
            starts_at=at,
            item_id=item.id,
            duration_s=item.duration_s,
            daypart=part.name if part else None,
            wanted_tags=part.tags if part else (),
            policy_version=policy_version,
        )
        intentions.append(intention)
        airings.append(intention.airing())
        for tag in item.tags:
            tag_airtime[tag] = tag_airtime.get(tag, 0.0) + item.duration_s
        at += item.duration_s
    return Plan(
        intentions=tuple(intentions), starts_at=starts_at, horizon_s=horizon_s, complete=complete
    )


def alternates(
    intention: Intention,
    items: Sequence[MediaItem],
    card: OwnerCard,
    airings: Sequence[Airing],
    exclude: Iterable[str],
) -> list[MediaItem]:
    """Substitutes for an intention whose item cannot air: same daypart rules, rested, in rights,
    not excluded (the failed item and those already tried), the closest in duration first."""
    skip = set(exclude) | {intention.item_id}
    found = [
        item
        for item in eligible(items, card, intention.starts_at, airings)
        if item.id not in skip
        and (not intention.wanted_tags or set(intention.wanted_tags).intersection(item.tags))
    ]
    return sorted(found, key=lambda item: (abs(item.duration_s - intention.duration_s), item.id))
