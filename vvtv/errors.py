"""The one error hierarchy of VVTV.

Every failure a caller can act on is a `VvtvError` with a stable machine-readable `code`, a human
`message` and the HTTP status it maps to; `vvtv.web.errors` turns it into problem JSON and the WS
layer into an `error` event, so no other module formats errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar


class VvtvError(Exception):
    """Base of every error meant for a client; `status` is the HTTP status it maps to.

    The refusals below, one per HTTP status, name theirs as class keywords (`status=`, `code=`);
    each context's refusals refine one of them by setting `code` (rarely `status`) in their body."""

    status: int = 500
    code: str = "internal"

    def __init_subclass__(cls, *, status: int | None = None, code: str | None = None) -> None:
        super().__init_subclass__()
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(self, message: str, *, code: str | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.path = path


class BadRequest(VvtvError, status=400, code="bad_request"):
    """The request itself is wrong: a malformed body, a field out of bounds, a rule it breaks."""


class Unauthorized(VvtvError, status=401, code="unauthorized"):
    """Who is asking is unknown: no credentials, or ones that do not hold."""


class Forbidden(VvtvError, status=403, code="forbidden"):
    """Who is asking is known, and may not do this."""


class NotFound(VvtvError, status=404, code="not_found"):
    """No such thing, or none the caller may know of."""


class Conflict(VvtvError, status=409, code="conflict"):
    """The current state forbids this: it may succeed once the state has changed."""


class PayloadTooLarge(VvtvError, status=413, code="payload_too_large"):
    """The body is larger than the server accepts."""


class TooManyRequests(VvtvError, status=429, code="rate_limited"):
    """Over a limit for now: `retry_after_s` says when trying again may succeed."""

    def __init__(self, message: str, *, retry_after_s: float, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class Unavailable(VvtvError, status=503, code="unavailable"):
    """The service cannot take this now (busy, shutting down, a dependency down); retry later."""


E = TypeVar("E", bound=VvtvError)


def by_code(*errors: type[E]) -> Mapping[str, type[E]]:
    """The refusals a context raises, keyed by the code each names: a domain's refusal codes are
    those codes, so the table says each once, in the error class, and cannot disagree with it."""
    return {error.code: error for error in errors}
