"""Session routes (SES-1..3): create, transition, end, read and heartbeat.

Access: any signed-in user may create, except in a mode that requires consent or a match (403:
the consent and matching services start those, INV-2); only a session's participants (or an
admin) may act on it or see it, and everyone else gets 404, so a session's existence never leaks.
"""

from __future__ import annotations

from quart import Blueprint

from vvtv.contracts.events import Heartbeat
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.identity import Empty
from vvtv.contracts.sessions import CreateSession
from vvtv.contracts.sessions import EndSession
from vvtv.contracts.sessions import HeartbeatAck
from vvtv.contracts.sessions import SessionAnswer
from vvtv.contracts.sessions import SessionOffer
from vvtv.contracts.sessions import SessionView
from vvtv.contracts.sessions import TransitionResult
from vvtv.contracts.sessions import TransitionSession
from vvtv.contracts.sessions import TurnView
from vvtv.domain.accounts import Principal
from vvtv.sessions.orchestrator import Orchestrator
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.routing import current_principal
from vvtv.web.sockets import MessageHandler
from vvtv.web.sockets import current_connection


def routes(sessions: Orchestrator, guard: Guard) -> Blueprint:
    api = Routes("sessions", __name__, guard)

    @api.post("/sessions", access="user", status=201, errors=[409, 502, 503])
    async def create_session(body: CreateSession) -> SessionView:
        """Start a session in a mode; its media profile comes from the mode unless given. A mode
        that requires consent or a match answers 403 `consent_required` / `match_required`; a
        user who already holds `sessions.max_concurrent_per_user` sessions, 409
        `too_many_sessions`."""
        return await sessions.create(current_principal(), body)

    @api.post("/sessions/transition", access="user", status=201, errors=[404, 409, 502, 503])
    async def transition_session(body: TransitionSession) -> TransitionResult:
        """End a session and start its successor in another mode, with a handover hint; into a
        mode that requires consent or a match, 403 and nothing ends."""
        return await sessions.transition(current_principal(), body)

    @api.get("/sessions/<hexid:session_id>", access="user", errors=[404])
    async def get_session(session_id: str) -> SessionView:
        """A session's state and its running cost estimate."""
        return await sessions.get(current_principal(), session_id)

    @api.post("/sessions/<hexid:session_id>/end", access="user", errors=[404, 409, 503])
    async def end_session(body: EndSession, session_id: str) -> SessionView:
        """End a session; its media endpoints are revoked."""
        return await sessions.end(current_principal(), session_id, body)

    @api.post("/sessions/<hexid:session_id>/heartbeat", access="user", errors=[404, 409, 503])
    async def heartbeat_session(body: Empty, session_id: str) -> HeartbeatAck:
        """Keep a session alive; without one for `expires_in_s` it ends."""
        return await sessions.heartbeat(current_principal(), session_id)

    @api.post("/sessions/<hexid:session_id>/offer", access="user", errors=[404, 409, 503])
    async def offer(body: SessionOffer, session_id: str) -> SessionAnswer:
        """Signalling: send a complete SDP offer for your endpoint, get the server's answer."""
        return await sessions.answer(current_principal(), session_id, body)

    @api.get("/sessions/<hexid:session_id>/turn", access="user", errors=[404, 409, 503])
    async def turn(session_id: str) -> TurnView:
        """Time-limited TURN credentials for this session's peer connections."""
        return await sessions.turn(current_principal(), session_id)

    return api.blueprint


def socket_handlers(sessions: Orchestrator) -> dict[type, MessageHandler]:
    """`heartbeat`: answered with `heartbeat.ack` (in order, after what was pushed before it);
    with a `session_id`, it keeps the caller in that session, this socket until it closes."""

    async def heartbeat(principal: Principal, message: Heartbeat) -> ServerEvent:
        return await sessions.on_socket_heartbeat(principal, current_connection(), message)

    return {Heartbeat: heartbeat}
