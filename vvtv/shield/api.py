"""Shield Mode's routes, for admins (the operator): `GET /admin/shield` is where it stands and
what switching on applies, `POST /admin/shield` switches it (audited, told to every tab)."""

from __future__ import annotations

from quart import Blueprint

from vvtv.contracts.shield import ShieldStatus
from vvtv.contracts.shield import ShieldSwitch
from vvtv.shield.service import Shield
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.routing import current_principal


def routes(shield: Shield, guard: Guard) -> Blueprint:
    api = Routes("shield", __name__, guard)

    @api.get("/admin/shield", access="admin")
    async def shield_status() -> ShieldStatus:
        """Whether Shield Mode is on, and the preset switching it on applies."""
        return shield.status()

    @api.post("/admin/shield", access="admin")
    async def switch_shield(body: ShieldSwitch) -> ShieldStatus:
        """Switch Shield Mode on (the preset at once, then the sweep) or off (reverted exactly)."""
        return await shield.switch(current_principal().user_id, body.active, body.reason)

    return api.blueprint
