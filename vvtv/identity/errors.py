"""The identity context's refusals, in the one `vvtv.errors` hierarchy."""

from __future__ import annotations

from vvtv.errors import BadRequest
from vvtv.errors import Conflict
from vvtv.errors import Forbidden
from vvtv.errors import NotFound
from vvtv.errors import TooManyRequests
from vvtv.errors import Unauthorized

# -- signing up ------------------------------------------------------------------------------------


class WeakPassword(BadRequest):
    """Outside the configured password length (`auth.password`)."""

    code = "weak_password"


class HandleTaken(Conflict):
    code = "handle_taken"


class TermsOutdated(Conflict):
    """The sign-up accepted other terms than the current ones (AUTH-2)."""

    code = "terms_outdated"


# -- signing in, tokens ----------------------------------------------------------------------------


class InvalidCredentials(Unauthorized):
    """Wrong handle or password: the two look alike, so a handle's existence never leaks."""

    code = "invalid_credentials"


class LoginLockedOut(TooManyRequests):
    """One of the attempt's lockout windows is full (`auth.login`)."""

    code = "login_rate_limited"


class LoginBusy(TooManyRequests):
    """As many of this account's sign-ins as allowed are being checked right now."""

    code = "login_busy"


class AuthBusy(TooManyRequests):
    """Password hashing is saturated (`auth.password.hash_*`): refused now rather than queued."""

    code = "auth_busy"


class Unauthenticated(Unauthorized):
    """A route that needs a signed-in user got no bearer token."""

    code = "unauthenticated"


class TokenInvalid(Unauthorized):
    code = "token_invalid"


class TokenExpired(Unauthorized):
    code = "token_expired"


class RefreshInvalid(Unauthorized):
    """Unknown, revoked, expired or already rotated: sign in again."""

    code = "refresh_invalid"


class DeviceMismatch(Unauthorized):
    """The token was bound to another device (`X-Device-Id`)."""

    code = "device_mismatch"


class SignInRevoked(Unauthorized):
    """The sign-in this access token belongs to was ended (logout)."""

    code = "session_revoked"


class RoleRequired(Forbidden):
    """The route needs a higher role than the caller's (AUTH-4)."""

    code = "forbidden"


class Banned(Forbidden):
    code = "banned"


# -- accounts, blocks, moderation ------------------------------------------------------------------


class UserNotFound(NotFound):
    code = "user_not_found"


class BlockSelf(BadRequest):
    code = "block_self"


class Outranked(Forbidden):
    """A moderator acts only on accounts of a lower role."""

    code = "outranked"


class OwnRole(Forbidden):
    """Nobody changes their own role."""

    code = "own_role"


class NotBanned(Conflict):
    code = "not_banned"


class NotQuarantined(Conflict):
    code = "not_quarantined"
