"""Identity routes: sign-up, login, tokens, the account, blocks, and moderation of accounts.

Access: auth routes are public (rate-limited); /me and /blocks act on the caller's own account
only; bans and quarantine need a moderator; roles and the audit log need an admin.
"""

from __future__ import annotations

import msgspec
from quart import Blueprint
from quart import request

from vvtv.config.schema.limits import AuthLimits
from vvtv.contracts.identity import AuditEntry
from vvtv.contracts.identity import AuditPage
from vvtv.contracts.identity import AuditQuery
from vvtv.contracts.identity import BanRequest
from vvtv.contracts.identity import BanView
from vvtv.contracts.identity import Block
from vvtv.contracts.identity import BlockList
from vvtv.contracts.identity import Empty
from vvtv.contracts.identity import LoggedOut
from vvtv.contracts.identity import Login
from vvtv.contracts.identity import Logout
from vvtv.contracts.identity import Me
from vvtv.contracts.identity import QuarantineRequest
from vvtv.contracts.identity import QuarantineView
from vvtv.contracts.identity import Refresh
from vvtv.contracts.identity import RoleChange
from vvtv.contracts.identity import Signup
from vvtv.contracts.identity import Tokens
from vvtv.contracts.identity import Unban
from vvtv.contracts.identity import Unblocked
from vvtv.contracts.identity import UserView
from vvtv.errors import BadRequest
from vvtv.identity.service import Identity
from vvtv.observability.audit import AuditLog
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.routing import current_principal


def routes(identity: Identity, audit: AuditLog, limits: AuthLimits, guard: Guard) -> Blueprint:
    """`limits`: the configured maxima of a ban's length and an audit page, enforced here and
    published by `vvtv.identity.openapi`."""
    api = Routes("identity", __name__, guard)

    @api.post("/auth/signup", access="public", status=201, errors=[409, 429])
    async def signup(body: Signup) -> Tokens:
        """Create an account (18+, current terms) and sign in."""
        return await identity.signup(body)

    @api.post("/auth/login", access="public", errors=[401, 403, 429])
    async def login(body: Login) -> Tokens:
        """Sign in: a short-lived access token and a refresh token (429 when locked out or busy).
        Failures lock one address, then every new device, out of the account for a while; a
        device that signed in before (its `device_id`) keeps a count of its own."""
        forwarded = request.headers.getlist("X-Forwarded-For")
        return await identity.login(
            body, identity.client_addresses.of(request.remote_addr, forwarded)
        )

    @api.post("/auth/refresh", access="public", errors=[401, 403])
    async def refresh(body: Refresh) -> Tokens:
        """Trade a refresh token for new tokens (the old refresh token stops working)."""
        return await identity.refresh(body.refresh_token, body.device_id)

    @api.post("/auth/logout", access="user")
    async def logout(body: Logout) -> LoggedOut:
        """End this sign-in (or every sign-in of the account)."""
        revoked = await identity.logout(current_principal(), body.everywhere)
        return LoggedOut(revoked_sessions=revoked)

    @api.get("/me", access="user")
    async def me() -> Me:
        """The signed-in account and its flags."""
        return identity.me(current_principal())

    @api.get("/blocks", access="user")
    async def list_blocks() -> BlockList:
        """Who the caller has blocked."""
        return await identity.blocks(current_principal())

    @api.post("/blocks/<user_id>", access="user", status=201, errors=[404])
    async def block(body: Empty, user_id: str) -> Block:
        """Block a user: neither of you can reach the other anywhere, at once (MOD-2)."""
        return await identity.block(current_principal(), user_id)

    @api.delete("/blocks/<user_id>", access="user")
    async def unblock(user_id: str) -> Unblocked:
        """Lift the caller's block of a user."""
        removed = await identity.unblock(current_principal(), user_id)
        return Unblocked(user_id=user_id, removed=removed)

    @api.get("/admin/users/<user_id>", access="mod", errors=[404])
    async def user(user_id: str) -> UserView:
        """An account as moderators see it."""
        return identity.user_view(user_id)

    @api.post("/admin/bans", access="mod", status=201, errors=[404])
    async def ban(body: BanRequest) -> BanView:
        """Ban a user for a duration or for good; their tokens and sockets stop at once (MOD-3)."""
        if body.duration_s is not None and body.duration_s > limits.ban_max_duration_s:
            raise BadRequest(
                f"A timed ban lasts at most {limits.ban_max_duration_s} s; ban for good instead"
                " (no duration_s).",
                code="invalid_field",
                path="$.duration_s",
            )
        return await identity.ban(current_principal(), body)

    @api.delete("/admin/bans/<user_id>", access="mod", errors=[404, 409])
    async def unban(query: Unban, user_id: str) -> BanView:
        """Lift a ban."""
        return await identity.unban(current_principal(), user_id, query.reason)

    @api.post("/admin/users/<user_id>/quarantine", access="mod", errors=[404])
    async def quarantine(body: QuarantineRequest, user_id: str) -> QuarantineView:
        """Shadow-quarantine a user; they are limited and never told (MOD-4)."""
        return await identity.set_shadow_quarantine(current_principal(), user_id, True, body.reason)

    @api.delete("/admin/users/<user_id>/quarantine", access="mod", errors=[404])
    async def lift_quarantine(query: Unban, user_id: str) -> QuarantineView:
        """Lift a quarantine a moderator decided: the visible one (MOD-6) and the shadow one."""
        return await identity.lift_quarantine(current_principal(), user_id, query.reason)

    @api.put("/admin/users/<user_id>/role", access="admin", errors=[404])
    async def set_role(body: RoleChange, user_id: str) -> UserView:
        """Make a user a mod or an admin, or take it back (AUTH-4)."""
        return await identity.set_role(current_principal(), user_id, body.role, body.reason)

    @api.get("/admin/audit", access="admin")
    async def audit_log(query: AuditQuery) -> AuditPage:
        """The audit log, newest first; page with `before_id`."""
        limit = query.limit or limits.audit_page_max
        if limit > limits.audit_page_max:
            raise BadRequest(
                f"Ask for at most {limits.audit_page_max} entries.",
                code="invalid_query",
                path="?limit",
            )
        entries = await audit.page(query.before_id, limit)
        return AuditPage(
            entries=[AuditEntry(**msgspec.structs.asdict(entry)) for entry in entries],
            next_before_id=entries[-1].id if len(entries) == limit else None,
        )

    return api.blueprint
