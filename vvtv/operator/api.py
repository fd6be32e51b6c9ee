"""The operator's console: `GET /admin/live` (admin), its live counts and alerts; and on /ws,
`operator.follow` / `operator.unfollow` (admin sockets only: anyone else gets `error` 403), after
which the socket is pushed `operator.update` on every change (`feed.py`)."""

from __future__ import annotations

from quart import Blueprint

from vvtv.contracts.events import OperatorFollow
from vvtv.contracts.events import OperatorUnfollow
from vvtv.contracts.events import OperatorUpdate
from vvtv.contracts.operator import LiveStatus
from vvtv.domain.accounts import Principal
from vvtv.operator.feed import OperatorFeed
from vvtv.operator.service import LiveBoard
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.sockets import MessageHandler
from vvtv.web.sockets import current_connection


def routes(board: LiveBoard, guard: Guard) -> Blueprint:
    api = Routes("operator", __name__, guard)

    @api.get("/admin/live", access="admin")
    async def live() -> LiveStatus:
        """Who is here now (channel viewers, Party, Random's queue, calls) and what is not ok."""
        return board.status()

    return api.blueprint


def socket_handlers(feed: OperatorFeed) -> dict[type, MessageHandler]:
    async def follow(principal: Principal, _: OperatorFollow) -> OperatorUpdate:
        return await feed.follow(principal, current_connection())

    async def unfollow(_: Principal, __: OperatorUnfollow) -> None:
        feed.unfollow(current_connection())

    return {OperatorFollow: follow, OperatorUnfollow: unfollow}
