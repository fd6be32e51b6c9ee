"""Random's matching routes (MAT-1, MAT-5, ABU-7), all for signed-in users.

`POST /match/join` puts you in the queue of your language (every tab of yours gets
`match.searching`); when someone suits you, the call is made for you both and both get
`match.found` with its session id and who the peer is: offer to that session as to any other.
`POST /match/skip` ends the call and puts you both back (the other told `match.ended`
`peer_skipped`), you after your cooldown (`match.cooldown`); `POST /match/leave` stops. Every
anti-abuse refusal is a 429 with its code and `retry_after_s`; `GET /match/state` says where you
stand, for a page that (re)loads. The last tab you joined from closing leaves too.
"""

from __future__ import annotations

from quart import Blueprint

from vvtv.contracts.identity import Empty
from vvtv.contracts.matching import JoinMatch
from vvtv.contracts.matching import MatchState
from vvtv.matching.service import Matching
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.routing import current_principal


def routes(matching: Matching, guard: Guard) -> Blueprint:
    api = Routes("matching", __name__, guard)

    @api.post("/match/join", access="user", errors=[400, 409, 429, 503])
    async def join(body: JoinMatch) -> MatchState:
        """Search (or change language and tags while you do). 409 `in_match` in a match; 429
        `cooldown`, `hourly_cap` or `reconnect_budget` with `retry_after_s`; 503 `random_closed`;
        403 `shield_account_age` while Shield Mode keeps Random for older accounts."""
        return await matching.join(current_principal(), body)

    @api.post("/match/skip", access="user", errors=[409, 429, 503])
    async def skip(body: Empty) -> MatchState:
        """End the call; you both search again (MAT-5). 409 `not_in_call`; 429 `too_early` or
        `kill_switch` with `retry_after_s`."""
        return await matching.skip(current_principal())

    @api.post("/match/leave", access="user", errors=[503])
    async def leave(body: Empty) -> MatchState:
        """Stop searching, or end the call (the other searches again); idle either way."""
        return await matching.leave(current_principal())

    @api.get("/match/state", access="user", errors=[503])
    async def state() -> MatchState:
        """Where you stand: idle, searching, cooldown, connecting or in_call, with its times."""
        return await matching.state(current_principal())

    return api.blueprint
