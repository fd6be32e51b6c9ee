"""Consent routes (CNS-1..5) and the `consent.answer` socket message, all for signed-in users.

`POST /consent/invites` asks a user for a private call: every tab of theirs gets a
`consent.request` until `expires_at`. They answer with `POST /consent/invites/{id}/accept` or
`/decline`, or a socket's `consent.answer`; the first answer wins (OPS-5). Accepting starts the
call for both (the consent service does, never a client: INV-2) and both get `consent.accepted`
with its session id; otherwise both get `consent.declined`, `consent.expired` or
`consent.cancelled` (`DELETE /consent/invites/{id}` by the inviter, or the inviter's last tab
closing). An invite that is not yours is unknown to you (404).
"""

from __future__ import annotations

from quart import Blueprint

from vvtv.consent.service import Consent
from vvtv.contracts.consent import ConsentInvite
from vvtv.contracts.consent import ConsentInvites
from vvtv.contracts.consent import CreateInvite
from vvtv.contracts.events import ConsentAnswer
from vvtv.contracts.identity import Empty
from vvtv.domain.accounts import Principal
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.routing import current_principal
from vvtv.web.sockets import MessageHandler


def routes(consent: Consent, guard: Guard) -> Blueprint:
    api = Routes("consent", __name__, guard)

    @api.post("/consent/invites", access="user", status=201, errors=[404, 409, 429, 503])
    async def create_invite(body: CreateInvite) -> ConsentInvite:
        """Invite a user to a private call (`pending`, or `queued` behind another invite to them
        when config queues); 403 `blocked` either way or a banned invitee, `quarantine_invite` (a
        new account invites other new accounts only, MOD-6), `shield_new_accounts` (Shield
        Mode), 409 `invite_pending`, 429 `rate_limited`."""
        return await consent.invite(current_principal(), body.invitee_id)

    @api.get("/consent/invites", access="user")
    async def list_invites() -> ConsentInvites:
        """Your open and recently ended invites, sent and received."""
        return consent.mine(current_principal())

    @api.post("/consent/invites/<hexid:invite_id>/accept", access="user", errors=[404, 409, 503])
    async def accept_invite(body: Empty, invite_id: str) -> ConsentInvite:
        """Accept: the call starts for you both (`session_id`); 409 once answered, expired or
        withdrawn."""
        return await consent.answer(current_principal(), invite_id, accept=True)

    @api.post("/consent/invites/<hexid:invite_id>/decline", access="user", errors=[404, 409, 503])
    async def decline_invite(body: Empty, invite_id: str) -> ConsentInvite:
        """Decline: the inviter is told, nothing else changes."""
        return await consent.answer(current_principal(), invite_id, accept=False)

    @api.delete("/consent/invites/<hexid:invite_id>", access="user", errors=[404, 409, 503])
    async def cancel_invite(invite_id: str) -> ConsentInvite:
        """Withdraw your invite before it is answered."""
        return await consent.cancel(current_principal(), invite_id)

    return api.blueprint


def socket_handlers(consent: Consent) -> dict[type, MessageHandler]:
    """`consent.answer`: success is silent on the socket (`consent.accepted` / `declined`
    follow); a refusal is an `error` event with the HTTP code."""

    async def answer(principal: Principal, message: ConsentAnswer) -> None:
        await consent.answer(principal, message.invite_id, message.accept)

    return {ConsentAnswer: answer}
