"""Presence on the wire (PRS-1..5, OPS-4): a member as others see it, your own fields, the one
query (party and grid are policies of it, PRS-3) and the page it returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from typing import Final
from typing import Literal

import msgspec

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.identity import Handle
from vvtv.contracts.sessions import Id
from vvtv.contracts.sessions import Name

# Bounds of what may reach the server at all; the policy (how many tags, how big a page) is
# config's `presence` section, which the validator holds within these.
TAGS_MAX: Final = 32
CAPABILITIES_MAX: Final = 32
PAGE_SIZE_MAX: Final = 500

Visibility = Literal["visible", "hidden"]
PresencePolicy = Literal["party", "grid"]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Capability = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
Language = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$",
        description="BCP 47 language, optionally with a region: `pt`, `pt-BR`",
    ),
]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=TAGS_MAX)]
Capabilities = Annotated[list[Capability], msgspec.Meta(max_length=CAPABILITIES_MAX)]
Cursor = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
PageSize = Annotated[int, msgspec.Meta(ge=1, le=PAGE_SIZE_MAX)]
Devices = Annotated[int, msgspec.Meta(ge=1, le=PAGE_SIZE_MAX)]
Segment = Annotated[list[Name], msgspec.Meta(max_length=16)]  # modes of one ecosystem


class PresenceMember(Contract):
    """One user present in an ecosystem, however many tabs or devices they use (OPS-5)."""

    presence_id: Id  # kept across reconnects within the heartbeat TTL
    user_id: Id
    handle: Handle
    presence_mode: Name  # the mode they are in (its ecosystem is the room's)
    is_camera_on: bool
    last_seen_at: datetime
    joined_at: datetime
    visibility: Visibility
    capabilities: Capabilities = []
    tags: Tags = []
    language: Language | None = None
    devices: Devices = 1
    quarantined_new: bool = False  # a new account, limited for now (MOD-6); shown in the UI


class PresenceSet(Contract):
    """Your own fields (PRS-2): the first set in an ecosystem joins it; omitted fields keep their
    value (a join starts from camera off, visible, nothing else)."""

    presence_mode: Name
    is_camera_on: bool | None = None
    visibility: Visibility | None = None
    capabilities: Capabilities | None = None
    tags: Tags | None = None
    language: Language | None = None


class PresenceFilters(Contract, kw_only=True):
    """What the grid may narrow by (OPS-4); every filter given must hold."""

    tags: Tags = []  # any of them
    language: Language | None = None  # `pt` also matches `pt-BR`
    camera_on: bool | None = None
    new: bool = False  # only new accounts (MOD-6's quarantined_new)
    modes: Segment = []  # a segment: these modes only


class PresenceQuery(Contract):
    """The one presence query (PRS-3): `party` lists in arrival order without filters; `grid`
    ranks (matching tags, camera on first) and filters. Both page with an opaque cursor."""

    ecosystem: Name
    policy: PresencePolicy = "party"
    filters: PresenceFilters = PresenceFilters()
    cursor: Cursor | None = None
    limit: PageSize | None = None  # default and ceiling from config


class PresencePage(Contract):
    ecosystem: Name
    members: list[PresenceMember]
    total: Count  # everyone the query matches for this viewer, across pages
    next_cursor: Cursor | None = None


# --- the HTTP routes' own shapes (GET /presence/party, GET /presence/grid, POST /presence/…) ----


class PresencePartyQuery(Contract):
    """`GET /presence/party`: who is in an ecosystem (Party's unless named), in arrival order."""

    ecosystem: Name = "party"
    cursor: Cursor | None = None
    limit: PageSize | None = None


class PresenceGridQuery(PresenceFilters, kw_only=True):
    """`GET /presence/grid`: the discovery grid over the same presence (OPS-4), ranked and
    narrowed by the filters; lists as `tags=a,b` or `tags=a&tags=b`."""

    ecosystem: Name = "party"
    cursor: Cursor | None = None
    limit: PageSize | None = None


class PresenceAlive(Contract):
    """`POST /presence/heartbeat`: still present, in this ecosystem, for this long without
    another heartbeat."""

    ecosystem: Name
    expires_in_s: float
