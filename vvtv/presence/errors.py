"""The presence context's refusals, in the one `vvtv.errors` hierarchy."""

from __future__ import annotations

from vvtv.errors import BadRequest
from vvtv.errors import NotFound


class NotPresent(NotFound):
    """This connection holds no presence in the ecosystem (never joined, left, or silent past the
    TTL): set your fields again to join."""

    code = "not_present"


class WrongEcosystem(BadRequest):
    """A mode, or a query, of another ecosystem than the room's (INV-5, MOD-7)."""

    code = "wrong_ecosystem"


class InvalidPresenceFields(BadRequest):
    code = "invalid_presence_fields"


class InvalidPresenceQuery(BadRequest):
    code = "invalid_presence_query"


class UnknownEcosystem(BadRequest):
    """No mode is in this ecosystem, so there is no room to look at or join."""

    code = "unknown_ecosystem"


class UnknownPresenceMode(BadRequest):
    """`presence_mode` names no mode of the manifests."""

    code = "unknown_mode"
