"""The one error hierarchy of VVTV.

Every failure a caller can act on is a `VvtvError` with a stable machine-readable `code`, a human
`message` and the HTTP status it maps to; `vvtv.web.errors` turns it into problem JSON and the WS
layer into an `error` event, so no other module formats errors.
"""

from __future__ import annotations


class VvtvError(Exception):
    """Base of every error meant for a client; `status` is the HTTP status it maps to."""

    status: int = 500
    code: str = "internal"

    def __init__(self, message: str, *, code: str | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.path = path


class BadRequest(VvtvError):
    status = 400
    code = "bad_request"


class Unauthorized(VvtvError):
    status = 401
    code = "unauthorized"


class Forbidden(VvtvError):
    status = 403
    code = "forbidden"


class NotFound(VvtvError):
    status = 404
    code = "not_found"


class Conflict(VvtvError):
    status = 409
    code = "conflict"


class PayloadTooLarge(VvtvError):
    status = 413
    code = "payload_too_large"


class TooManyRequests(VvtvError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: float, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class Unavailable(VvtvError):
    """The service cannot take this now (busy, shutting down, a dependency down); retry later."""

    status = 503
    code = "unavailable"
