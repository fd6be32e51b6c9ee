"""Live tiles on the socket (THB-1..6, INV-4): a viewer opens its pool for its session, declaring
its device class (which sets the budget, THB-5), reports which tiles it sees, and is told which
were granted a slot, refused, or released."""

from __future__ import annotations

from typing import Annotated
from typing import Final
from typing import Literal

import msgspec

from vvtv.contracts.base import Count
from vvtv.contracts.base import Event
from vvtv.contracts.sessions import Id
from vvtv.contracts.sessions import Name

# Publishers one report may name: the wire's bound; the budget (`tiles` in config) is policy.
TILES_PER_REPORT_MAX: Final = 64

DeviceClass = Literal["desktop", "mobile"]  # the keys of config's `tiles` budget
TileRefusalCode = Literal["tile_budget", "tile_unavailable", "tiles_paused"]
TileReleaseReason = Literal["out_of_view", "unavailable", "closed", "tiles_paused"]
Publishers = Annotated[list[Id], msgspec.Meta(min_length=1, max_length=TILES_PER_REPORT_MAX)]

# --- client → server -----------------------------------------------------------------------------


class TileOpen(Event, kw_only=True, tag="tile.open"):
    """Open this socket's tile pool in your session of a tile mode (its profile a thumbnail
    one), as a `device`: answered `tile.opened`; then offer for its subscribe endpoint over
    `POST /sessions/{id}/offer`. Opening again (a reconnect) must declare the same device."""

    session_id: Id
    device: DeviceClass


class TileVisible(Event, kw_only=True, tag="tile.visible"):
    """These members' tiles came into view (user ids): each is `tile.granted` or `tile.refused`."""

    publisher_ids: Publishers


class TileHidden(Event, kw_only=True, tag="tile.hidden"):
    """These tiles left the view: each keeps its slot `viewport.out_of_view_disconnect_s`, then
    is `tile.released` (INV-4)."""

    publisher_ids: Publishers


class TileClose(Event, kw_only=True, tag="tile.close"):
    """This socket's tiles are done (e.g. leaving the mode): every slot is released."""


# --- server → client -----------------------------------------------------------------------------


class TileOpened(Event, kw_only=True, tag="tile.opened"):
    """Your pool: `slots` video slots (your device's budget), slot i being the offer's i-th
    video m-line, at `profile`."""

    session_id: Id
    device: DeviceClass
    slots: Count
    profile: Name


class PublisherEvent(Event, kw_only=True):
    """An event about one publisher's tile, which it names (its tag is each subclass's)."""

    publisher_id: Id


class TileGranted(PublisherEvent, kw_only=True, tag="tile.granted"):
    """`publisher_id`'s tile plays in `slot` (its next keyframe on)."""

    slot: Count


class TileRefused(PublisherEvent, kw_only=True, tag="tile.refused"):
    """Not shown: `tile_budget` (every slot shows a tile in view: THB-5; it is granted when one
    frees), `tile_unavailable` (you may not see this member's camera now), or `tiles_paused` (the
    service took live tiles off for a moment, INV-7; it is granted when they come back)."""

    code: TileRefusalCode
    message: str


class TileReleased(PublisherEvent, kw_only=True, tag="tile.released"):
    """`publisher_id`'s slot no longer carries it (out of view: THB-2; no longer visible to you;
    or your tiles closed; or `tiles_paused`: the service took live tiles off for a moment, and
    the tiles still in view are granted again when they come back)."""

    reason: TileReleaseReason


class TileBlurred(PublisherEvent, kw_only=True, tag="tile.blurred"):
    """`publisher_id`'s tile is shown blurred (`blurred`), or clear again: the automated frame
    checks scored their camera at or above `media.frame_checks.blur_at` (issue 16). Sent for
    every tile of theirs a viewer holds, and with each later grant while it lasts."""

    blurred: bool


class TileProfileChanged(PublisherEvent, kw_only=True, tag="tile.profile"):
    """The SFU moved a tile to another rendition (THB-4: degrade by layer, not reconnection)."""

    profile: Name
