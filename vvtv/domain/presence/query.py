"""The one query (PRS-3, OPS-4): the party and grid policies, their filters and orders, and
cursor paging; one ordered list serves every watcher of the same query within a flush."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from vvtv.contracts.presence import PresenceFilters, PresencePage, PresenceQuery
from vvtv.domain.presence.messages import Refuse
from vvtv.domain.presence.room import Member, Person, Room, RoomLimits, seen_as, view
from vvtv.domain.presence.visibility import visible_to


def check_query(room: Room, query: PresenceQuery) -> Refuse | None:
    if query.ecosystem != room.ecosystem:
        return Refuse("wrong_ecosystem", f"This is the {room.ecosystem} ecosystem.", "ecosystem")
    filters = query.filters
    limits = room.limits
    if query.policy == "party" and filters != PresenceFilters():
        return Refuse("invalid_query", "The party list takes no filters; the grid does.", "filters")
    if len(filters.tags) > limits.max_tags:
        return Refuse("invalid_query", f"At most {limits.max_tags} tags.", "filters.tags")
    foreign = [mode for mode in filters.modes if mode not in room.modes]
    if foreign:
        return Refuse(
            "invalid_query",
            f"Mode `{foreign[0]}` is not in the {room.ecosystem} ecosystem.",
            "filters.modes",
        )
    if query.limit is not None and query.limit > limits.page_size_max:
        return Refuse("invalid_query", f"At most {limits.page_size_max} per page.", "limit")
    if query.cursor is not None and _decode_cursor(query.policy, query.cursor) is None:
        return Refuse("invalid_query", "This cursor belongs to another query.", "cursor")
    return None


def matches(member: Member, person: Person, filters: PresenceFilters) -> bool:
    if filters.tags and not any(tag in member.tags for tag in filters.tags):
        return False
    if filters.language is not None and not _speaks(member.language, filters.language):
        return False
    if filters.camera_on is not None and member.is_camera_on != filters.camera_on:
        return False
    if filters.new and not person.quarantined_new:
        return False
    return not filters.modes or member.mode in filters.modes


def _speaks(language: str | None, wanted: str) -> bool:
    if language is None:
        return False
    return language == wanted or ("-" not in wanted and language.startswith(wanted + "-"))


Key = tuple[int, ...]


def _key(policy: str, member: Member, wanted_tags: frozenset[str]) -> Key:
    """The order of a list: the party's is arrival; the grid ranks members sharing more of the
    wanted tags first, then cameras on. Arrival breaks ties, so every key is unique and a cursor
    (the last key shown) pages without repeats or gaps among members that stay as they were."""
    if policy == "party":
        return (member.seq,)
    overlap = sum(1 for tag in member.tags if tag in wanted_tags)
    return (-overlap, 0 if member.is_camera_on else 1, member.seq)


def _encode_cursor(policy: str, key: Key) -> str:
    return ":".join((policy[0], *map(str, key)))


def _decode_cursor(policy: str, cursor: str) -> Key | None:
    head, *parts = cursor.split(":")
    if head != policy[0] or len(parts) != (1 if policy == "party" else 3):
        return None
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        return None


@dataclass(slots=True)
class _Ordered:
    """Everyone a query could list to some viewer of one quarantine class, in list order."""

    keys: list[Key]
    members: list[Member]
    positions: dict[str, int]


class Groups:
    """Ordered lists shared by every watcher with the same query within one flush: their pages
    differ only by whom each viewer may not see (themselves, their blocks), few by nature."""

    __slots__ = ("_lists",)

    def __init__(self) -> None:
        self._lists: dict[tuple[object, ...], _Ordered] = {}

    def ordered(self, room: Room, query: PresenceQuery, shadow: bool) -> _Ordered:
        filters = query.filters
        group = (
            query.policy,
            tuple(filters.tags),
            filters.language,
            filters.camera_on,
            filters.new,
            tuple(filters.modes),
            shadow,
        )
        found = self._lists.get(group)
        if found is None:
            found = self._lists[group] = _order(room, query, shadow)
        return found


def _order(room: Room, query: PresenceQuery, shadow: bool) -> _Ordered:
    filters = query.filters
    wanted = frozenset(filters.tags)
    entries: list[tuple[Key, Member]] = []
    for member in room.members.values():
        person = room.people[member.user_id]
        if seen_as(room, member) == "hidden" or (person.shadow_quarantined and not shadow):
            continue
        if matches(member, person, filters):
            entries.append((_key(query.policy, member, wanted), member))
    if query.policy != "party":  # members are kept in arrival order already
        entries.sort(key=lambda entry: entry[0])
    members = [member for _, member in entries]
    return _Ordered(
        keys=[key for key, _ in entries],
        members=members,
        positions={member.user_id: index for index, member in enumerate(members)},
    )


def query_page(room: Room, viewer: Person, query: PresenceQuery, groups: Groups) -> PresencePage:
    return page_and_members(room, viewer, query, groups, whole=False)[0]


def page_and_members(
    room: Room, viewer: Person, query: PresenceQuery, groups: Groups, *, whole: bool
) -> tuple[PresencePage, list[Member]]:
    """The viewer's page of the query (or, `whole`, everything it matches from the start)."""
    ordered = groups.ordered(room, query, viewer.shadow_quarantined)
    unseen = {viewer.user_id} | viewer.blocked | room.blocked_by.get(viewer.user_id, set())
    total = len(ordered.members) - sum(1 for user_id in unseen if user_id in ordered.positions)
    start = 0
    if query.cursor is not None and not whole:
        cursor = _decode_cursor(query.policy, query.cursor)
        if cursor is not None:
            start = bisect.bisect_right(ordered.keys, cursor)
    limit = None if whole else _limit(room.limits, query)
    listed: list[Member] = []
    last_key: Key = ()
    next_cursor: str | None = None
    for index in range(start, len(ordered.members)):
        member = ordered.members[index]
        if not visible_to(viewer, room.people[member.user_id], seen_as(room, member)):
            continue
        if limit is not None and len(listed) == limit:
            next_cursor = _encode_cursor(query.policy, last_key)  # more follow
            break
        listed.append(member)
        last_key = ordered.keys[index]
    page = PresencePage(
        ecosystem=room.ecosystem,
        members=[view(room, member) for member in listed],
        total=total,
        next_cursor=next_cursor,
    )
    return page, listed


def _limit(limits: RoomLimits, query: PresenceQuery) -> int:
    if query.limit is not None:
        return query.limit
    return limits.party_page_size if query.policy == "party" else limits.grid_page_size
