"""The tiles context's refusals, in the one `vvtv.errors` hierarchy."""

from __future__ import annotations

from vvtv.errors import Conflict


class TilesNotOpen(Conflict):
    """This socket has no tile pool (open one with `tile.open`, again after a restart)."""

    code = "tiles_not_open"


class DeviceMismatch(Conflict):
    """The session's tile pool was opened as another device class: a session keeps the budget
    it was opened with (THB-5), so a second socket cannot claim a larger one."""

    code = "device_mismatch"


class NotATileSession(Conflict):
    """The session is not an active one of yours in a mode whose media are thumbnails."""

    code = "not_a_tile_session"
