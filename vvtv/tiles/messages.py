"""The tile viewer actor's mailbox: what the service (a socket's open, report and leave; the
kill-switch ladder's ease; a frame check's blur) and the SFU's sampler tell one viewer."""

from __future__ import annotations

from vvtv.contracts.tiles import DeviceClass
from vvtv.domain.tiles.viewer import Drop
from vvtv.domain.tiles.viewer import Tick
from vvtv.domain.values import frozen
from vvtv.media.port import TilePoolSample


@frozen
class Ladder:
    """The session's tile rendition and the one a poor link steps down to (THB-4)."""

    top: str
    top_kbps: float
    degraded: str | None
    degraded_kbps: float


@frozen
class Ease:
    """What the kill-switch ladder asks of tiles now (INV-7): every tile at the degraded
    rendition (`degraded_thumbs`), or none at all (`stills`, `party_tiles_off`)."""

    degrade: bool = False
    pause: bool = False


@frozen
class Open:
    """A socket opens (or takes over) the session's pool as a device class."""

    connection: str
    user_id: str
    device: DeviceClass
    budget: int
    mode: str
    ecosystem: str
    ladder: Ladder
    ease: Ease = Ease()


@frozen
class Report:
    """Tiles of the socket's page came into view (`visible`) or left it."""

    connection: str
    publishers: tuple[str, ...]
    visible: bool


@frozen
class Leave:
    """The socket is done with its tiles (it said so, or it closed: `connection`'s only)."""

    connection: str


@frozen
class Recheck:
    """Presence's view may have changed (a shadow quarantine): ask it again about every tile."""


@frozen
class Blur:
    """`publisher_id`'s tiles blur, or clear again (the frame checks', issue 16)."""

    publisher_id: str
    blurred: bool


@frozen
class Sample:
    sample: TilePoolSample
    # The ladder's ask as of the sample: a viewer that missed its change (a full mailbox)
    # catches up here.
    ease: Ease


ActorMessage = Open | Report | Leave | Recheck | Sample | Drop | Tick | Ease | Blur
