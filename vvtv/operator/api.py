"""`GET /admin/live` (admin): the console's live counts and alerts, asked every
ui.operator_refresh_s."""

from __future__ import annotations

from quart import Blueprint

from vvtv.contracts.operator import LiveStatus
from vvtv.operator.service import LiveBoard
from vvtv.web.routing import Guard, endpoint


def routes(board: LiveBoard, guard: Guard) -> Blueprint:
    bp = Blueprint("operator", __name__)

    @endpoint(bp, "/admin/live", method="GET", access="admin", response=LiveStatus, guard=guard)
    async def live() -> LiveStatus:
        """Who is here now (channel viewers, Party, Random's queue, calls) and what is not ok."""
        return board.status()

    return bp
