"""The one query (PRS-3, OPS-4): the party and grid policies, their filters and orders, and
cursor paging; one ordered list serves every watcher of the same query within a flush."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from vvtv.contracts.presence import PresenceFilters
from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresencePage
from vvtv.contracts.presence import PresenceQuery
from vvtv.domain.presence.messages import Refuse
from vvtv.domain.presence.room import Member
from vvtv.domain.presence.room import Person
from vvtv.domain.presence.room import Room
from vvtv.domain.presence.room import RoomLimits
from vvtv.domain.presence.room import seen_as
from vvtv.domain.presence.room import view


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


class _Ordered:
    """Everyone a query could list to some viewer of one quarantine class, in list order."""

    __slots__ = ("_filters", "_keys", "_shadow", "members", "policy")

    def __init__(self, room: Room, query: PresenceQuery, shadow: bool) -> None:
        self.policy = query.policy
        self._filters = query.filters
        self._shadow = shadow
        people = room.people
        if query.policy == "party":
            # No filters (check_query) and arrival order (the members dict's): no keys to make,
            # a check per member, as a flush of a large room does it for thousands; so
            # `seen_as` is inlined (visible, in a listed mode).
            self._keys: list[Key] | None = None
            listed = room.listed
            visible = [
                member
                for member in room.members.values()
                if member.visibility == "visible" and member.mode in listed
            ]
            self.members = (
                visible
                if shadow
                else [m for m in visible if not people[m.user_id].shadow_quarantined]
            )
            return
        wanted = frozenset(self._filters.tags)
        entries = [
            (_key(query.policy, member, wanted), member)
            for member in room.members.values()
            if self.admits(room, member)
        ]
        entries.sort(key=lambda entry: entry[0])
        self._keys = [key for key, _ in entries]
        self.members = [member for _, member in entries]

    def admits(self, room: Room, member: Member) -> bool:
        """Whether `member` is in this list."""
        person = room.people[member.user_id]
        if seen_as(room, member) == "hidden" or (person.shadow_quarantined and not self._shadow):
            return False
        return matches(member, person, self._filters)

    def key(self, index: int) -> Key:
        return (self.members[index].seq,) if self._keys is None else self._keys[index]

    def after(self, cursor: Key) -> int:
        """The index of the first entry past `cursor` (the last key of the page before)."""
        if self._keys is None:
            return bisect.bisect_right(self.members, cursor, key=lambda member: (member.seq,))
        return bisect.bisect_right(self._keys, cursor)

    def total(self, room: Room, unseen: set[str]) -> int:
        """How many of the list a viewer sees who may not see `unseen`."""
        hidden = 0
        for user_id in unseen:
            member = room.members.get(user_id)
            if member is not None and self.admits(room, member):
                hidden += 1
        return len(self.members) - hidden


@dataclass(slots=True, frozen=True)
class Shown:
    """One viewer's page of a query. Viewers who may see everyone on the same page, with the same
    total, share one: one page, and one update, for all of them."""

    page: PresencePage
    members: list[Member]
    # What the page lists, not the total: the same, and the viewer's page needs no resending.
    listing: tuple[object, ...]


@dataclass(slots=True)
class _Window:
    """The page of a query where it starts (its cursor), as a viewer who may see everyone on it
    gets it; those who may not see someone on it (themselves, a block) get their own."""

    members: list[Member]
    views: list[PresenceMember]
    reach: frozenset[str]  # the page's members and the one after: who decides whether more follow
    next_cursor: str | None
    listing: tuple[object, ...]
    by_total: dict[int, Shown]


Group = tuple[object, ...]


def query_group(query: PresenceQuery) -> Group:
    """What makes two queries list the same members in the same order (their cursor and page
    size aside): a watcher's is worked out once, when it subscribes."""
    filters = query.filters
    return (
        query.policy,
        tuple(filters.tags),
        filters.language,
        filters.camera_on,
        filters.new,
        tuple(filters.modes),
    )


class Groups:
    """Ordered lists shared by every watcher with the same query within one flush: their pages
    differ only by whom each viewer may not see (themselves, their blocks), few by nature."""

    __slots__ = ("_lists", "_windows")

    def __init__(self) -> None:
        self._lists: dict[tuple[Group, bool], _Ordered] = {}
        self._windows: dict[tuple[object, ...], _Window] = {}

    def ordered(
        self, room: Room, query: PresenceQuery, shadow: bool, group: Group | None = None
    ) -> _Ordered:
        key = (query_group(query) if group is None else group, shadow)
        found = self._lists.get(key)
        if found is None:
            found = self._lists[key] = _Ordered(room, query, shadow)
        return found

    def window(
        self, room: Room, query: PresenceQuery, shadow: bool, group: Group | None = None
    ) -> tuple[_Ordered, _Window]:
        ordered = self.ordered(room, query, shadow, group)
        limit = _limit(room.limits, query)
        at = (id(ordered), query.cursor, limit)  # `ordered` lives as long as this
        found = self._windows.get(at)
        if found is None:
            found = self._windows[at] = _window(room, query, ordered, limit)
        return ordered, found


def _window(room: Room, query: PresenceQuery, ordered: _Ordered, limit: int) -> _Window:
    start = _start(query, ordered)
    reach = ordered.members[start : start + limit + 1]
    members = reach[:limit]
    more = len(reach) > limit
    return _Window(
        members=members,
        views=[view(room, member) for member in members],
        reach=frozenset(member.user_id for member in reach),
        next_cursor=_encode_cursor(query.policy, ordered.key(start + limit - 1)) if more else None,
        listing=_listing(members, ordered.key(start + limit - 1) if more else None),
        by_total={},
    )


def _listing(members: list[Member], last_key: Key | None) -> tuple[object, ...]:
    return (last_key, tuple((member.presence_id, member.version) for member in members))


def _start(query: PresenceQuery, ordered: _Ordered) -> int:
    if query.cursor is None:
        return 0
    cursor = _decode_cursor(query.policy, query.cursor)
    return 0 if cursor is None else ordered.after(cursor)


def _unseen(room: Room, viewer: Person) -> set[str]:
    """Whom `viewer` may never see here, whatever the query: themselves and either side of a
    block (the quarantine class and hidden members are the ordered list's business)."""
    return {viewer.user_id} | viewer.blocked | room.blocked_by.get(viewer.user_id, set())


def query_page(room: Room, viewer: Person, query: PresenceQuery, groups: Groups) -> PresencePage:
    return shown_page(room, viewer, query, groups).page


def shown_page(
    room: Room, viewer: Person, query: PresenceQuery, groups: Groups, group: Group | None = None
) -> Shown:
    """The viewer's page of the query: the shared one when nobody on it is unseen to them."""
    ordered, window = groups.window(room, query, viewer.shadow_quarantined, group)
    unseen = _unseen(room, viewer)
    total = ordered.total(room, unseen)
    if unseen.isdisjoint(window.reach):
        shown = window.by_total.get(total)
        if shown is None:
            page = PresencePage(
                ecosystem=room.ecosystem,
                members=window.views,
                total=total,
                next_cursor=window.next_cursor,
            )
            shown = window.by_total[total] = Shown(page, window.members, window.listing)
        return shown
    page, listed, last_key = _page(room, query, ordered, unseen, total, whole=False)
    return Shown(page, listed, _listing(listed, last_key))


def page_and_members(
    room: Room, viewer: Person, query: PresenceQuery, groups: Groups, *, whole: bool
) -> tuple[PresencePage, list[Member]]:
    """The viewer's page of the query (or, `whole`, everything it matches from the start)."""
    if not whole:
        shown = shown_page(room, viewer, query, groups)
        return shown.page, shown.members
    ordered = groups.ordered(room, query, viewer.shadow_quarantined)
    unseen = _unseen(room, viewer)
    total = ordered.total(room, unseen)
    page, listed, _ = _page(room, query, ordered, unseen, total, whole=True)
    return page, listed


def _page(
    room: Room,
    query: PresenceQuery,
    ordered: _Ordered,
    unseen: set[str],
    total: int,
    *,
    whole: bool,
) -> tuple[PresencePage, list[Member], Key | None]:
    """One viewer's own page: the list without whom they may not see (`_unseen`: the list is of
    their quarantine class, without hidden members); and the key of its last when more follow."""
    members = ordered.members
    start = 0 if whole else _start(query, ordered)
    limit = len(members) if whole else _limit(room.limits, query)
    picked: list[int] = []
    more = False
    for index in range(start, len(members)):
        if members[index].user_id in unseen:
            continue
        if len(picked) == limit:
            more = True
            break
        picked.append(index)
    listed = [members[index] for index in picked]
    last_key = ordered.key(picked[-1]) if more else None
    page = PresencePage(
        ecosystem=room.ecosystem,
        members=[view(room, member) for member in listed],
        total=total,
        next_cursor=None if last_key is None else _encode_cursor(query.policy, last_key),
    )
    return page, listed, last_key


def _limit(limits: RoomLimits, query: PresenceQuery) -> int:
    if query.limit is not None:
        return query.limit
    return limits.party_page_size if query.policy == "party" else limits.grid_page_size
