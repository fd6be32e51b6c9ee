"""The /ws tile messages (THB-1..6), for signed-in users: `tile.open` is answered `tile.opened`
(or an `error` with the HTTP code); `tile.visible` / `tile.hidden` are answered by `tile.granted`,
`tile.refused` and `tile.released` as they happen; `tile.close` is silent. The pool's media go
through the session's own signalling, `POST /sessions/{id}/offer` (role `subscribe`)."""

from __future__ import annotations

from vvtv.contracts.tiles import TileClose
from vvtv.contracts.tiles import TileHidden
from vvtv.contracts.tiles import TileOpen
from vvtv.contracts.tiles import TileOpened
from vvtv.contracts.tiles import TileVisible
from vvtv.domain.accounts import Principal
from vvtv.tiles.service import Tiles
from vvtv.web.sockets import MessageHandler
from vvtv.web.sockets import current_connection


def socket_handlers(tiles: Tiles) -> dict[type, MessageHandler]:
    async def open_tiles(principal: Principal, message: TileOpen) -> TileOpened:
        return await tiles.open(principal, current_connection(), message.session_id, message.device)

    async def visible(principal: Principal, message: TileVisible) -> None:
        await tiles.report(current_connection(), tuple(message.publisher_ids), visible=True)

    async def hidden(principal: Principal, message: TileHidden) -> None:
        await tiles.report(current_connection(), tuple(message.publisher_ids), visible=False)

    async def close(principal: Principal, message: TileClose) -> None:
        tiles.close(current_connection())

    return {TileOpen: open_tiles, TileVisible: visible, TileHidden: hidden, TileClose: close}
