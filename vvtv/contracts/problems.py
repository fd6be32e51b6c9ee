"""Error bodies: HTTP problem JSON."""

from __future__ import annotations

from vvtv.contracts.base import Contract
from vvtv.contracts.base import HttpStatus


class Problem(Contract):
    """An error: `code` is stable and machine-readable, `message` is for humans, `path` names the
    offending field of the request body (`$.handle`) when there is one."""

    status: HttpStatus
    code: str
    message: str
    path: str | None = None
    retry_after_s: float | None = None  # set on 429: when trying again can succeed
    trace_id: str | None = None
