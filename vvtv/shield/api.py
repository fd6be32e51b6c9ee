"""Shield Mode's routes, for admins (the operator): `GET /admin/shield` is where it stands and
what switching on applies, `POST /admin/shield` switches it (audited, told to every tab)."""

from __future__ import annotations

from quart import Blueprint

from vvtv.contracts.shield import ShieldStatus
from vvtv.contracts.shield import ShieldSwitch
from vvtv.shield.service import Shield
from vvtv.web.routing import Guard
from vvtv.web.routing import current_principal
from vvtv.web.routing import endpoint


def routes(shield: Shield, guard: Guard) -> Blueprint:
    bp = Blueprint("shield", __name__)

    @endpoint(bp, "/admin/shield", method="GET", access="admin", guard=guard)
    async def shield_status() -> ShieldStatus:
        """Whether Shield Mode is on, and the preset switching it on applies."""
        return shield.status()

    @endpoint(bp, "/admin/shield", method="POST", access="admin", guard=guard)
    async def switch_shield(body: ShieldSwitch) -> ShieldStatus:
        """Switch Shield Mode on (the preset at once, then the sweep) or off (reverted exactly)."""
        return await shield.switch(current_principal().user_id, body.active, body.reason)

    return bp
