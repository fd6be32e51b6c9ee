"""The operator's cost routes (TEL-4, INV-7), for admins: `GET /admin/cost` is the last sample of
every mode's egress, estimated beside measured, per hour and in money, `GET /admin/cost/history`
the samples before it; `GET /admin/kill-switch` is where the ladder stands, `POST
/admin/kill-switch` pins it (audited). `GET /service/notice` tells any signed-in user how far the
product stepped down."""

from __future__ import annotations

from quart import Blueprint

from vvtv.contracts.cost import CostHistory
from vvtv.contracts.cost import CostHistoryQuery
from vvtv.contracts.cost import CostReport
from vvtv.contracts.cost import KillSwitchOverride
from vvtv.contracts.cost import KillSwitchStatus
from vvtv.contracts.cost import ServiceStatus
from vvtv.cost.ladder import KillSwitch
from vvtv.cost.service import CostMeter
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.routing import current_principal


def routes(meter: CostMeter, kill_switch: KillSwitch, guard: Guard) -> Blueprint:
    api = Routes("cost", __name__, guard)

    @api.get("/admin/cost", access="admin")
    async def cost() -> CostReport:
        """Egress per mode per hour: the SPEC's estimate and what was really sent, with $/h."""
        return meter.report()

    @api.get("/admin/cost/history", access="admin")
    async def cost_history(query: CostHistoryQuery) -> CostHistory:
        """The last samples (oldest first), for the operator's charts; `after_seq` for new ones."""
        return meter.history(query.after_seq)

    @api.get("/service/notice", access="user")
    async def service_notice() -> ServiceStatus:
        """How far the product stepped down to keep its cost (a tab asks when its socket opens)."""
        return kill_switch.notice()

    @api.get("/admin/kill-switch", access="admin")
    async def kill_switch_status() -> KillSwitchStatus:
        """The ladder's steps, how many are taken, by the load or by an admin's pin."""
        return kill_switch.status()

    @api.post("/admin/kill-switch", access="admin", errors=[400])
    async def override_kill_switch(body: KillSwitchOverride) -> KillSwitchStatus:
        """Pin the ladder at a level (audited, told to users), or give it back to the load."""
        return await kill_switch.override(current_principal().user_id, body.level, body.reason)

    return api.blueprint
