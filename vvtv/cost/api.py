"""The operator's cost routes (TEL-4), for admins only: `GET /admin/cost` is the last sample of
every mode's egress, estimated beside measured, per hour and in money."""

from __future__ import annotations

from quart import Blueprint

from vvtv.contracts.cost import CostReport
from vvtv.cost.service import CostMeter
from vvtv.web.routing import Guard, endpoint


def routes(meter: CostMeter, guard: Guard) -> Blueprint:
    bp = Blueprint("cost", __name__)

    @endpoint(bp, "/admin/cost", method="GET", access="admin", response=CostReport, guard=guard)
    async def cost() -> CostReport:
        """Egress per mode per hour: the SPEC's estimate and what was really sent, with $/h."""
        return meter.report()

    return bp
