"""The one place where errors become HTTP problem JSON or a WebSocket `error` event."""

from __future__ import annotations

import logging
import math
import re

import msgspec
from quart import Quart
from quart import Response
from quart import has_request_context
from quart import has_websocket_context
from quart import request
from quart import websocket
from werkzeug.exceptions import HTTPException

from vvtv.contracts.events import ErrorEvent
from vvtv.contracts.problems import Problem
from vvtv.errors import BadRequest
from vvtv.errors import VvtvError

log = logging.getLogger(__name__)

_AT = re.compile(r" - at `(?P<path>[^`]+)`$")
_FIELD = re.compile(r"(?:unknown|required) field `(?P<field>[^`]+)`")
_ENCODE = msgspec.json.Encoder()


# What decoding a client's JSON can raise: msgspec reports invalid UTF-8 inside a string (or a
# key) as Python's UnicodeDecodeError, not as its own DecodeError.
BODY_ERRORS = (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError)


def body_error(
    error: msgspec.ValidationError | msgspec.DecodeError | UnicodeDecodeError,
) -> BadRequest:
    """Turn msgspec's decode error into a BadRequest that names the offending field."""
    if isinstance(error, UnicodeDecodeError):
        byte = error.object[error.start : error.start + 1].hex()
        return BadRequest(
            f"The body is not valid UTF-8: a string holds the byte 0x{byte}.", code="malformed_json"
        )
    text = str(error)
    if isinstance(error, msgspec.ValidationError):
        at = _AT.search(text)
        path = at.group("path") if at else "$"
        message = _AT.sub("", text)
        if field := _FIELD.search(message):
            path = f"{path}.{field.group('field')}"
        return BadRequest(f"{message} (at {path})", code="invalid_field", path=path)
    return BadRequest(f"The body is not valid JSON: {text}", code="malformed_json")


def problem_from(error: BaseException) -> Problem:
    if isinstance(error, VvtvError):
        # Its status, code, message and path; `retry_after_s` where it has one (a 429).
        return msgspec.convert(error, Problem, from_attributes=True)
    if isinstance(error, HTTPException) and error.code is not None and error.code < 500:
        code = re.sub(r"\W+", "_", (error.name or "error").lower()).strip("_")
        return Problem(status=error.code, code=code, message=error.description or error.name)
    log.error("unhandled error", exc_info=error)
    return Problem(status=500, code="internal", message="Something went wrong on our side.")


def error_event(error: BaseException, ref: str | None = None) -> ErrorEvent:
    """The WS twin of `problem_from`: same status, code, message and path."""
    problem = problem_from(error)
    return ErrorEvent(
        status=problem.status,
        code=problem.code,
        message=problem.message,
        path=problem.path,
        ref=ref,
    )


def problem_response(problem: Problem, error: BaseException | None = None) -> Response:
    response = Response(_ENCODE.encode(problem), status=problem.status)
    if isinstance(error, HTTPException) and problem.status < 500:
        # Keep what the protocol requires of the status, e.g. `Allow` on a 405 (RFC 9110).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
    if problem.retry_after_s is not None:
        response.headers["Retry-After"] = str(math.ceil(problem.retry_after_s))
    response.content_type = "application/problem+json"
    return response


def install_error_handlers(app: Quart) -> None:
    async def handle(error: Exception) -> Response:
        problem = problem_from(error)
        if problem.status >= 500:
            # Also reached from a socket (an error before or outside its own `error` events),
            # where there is no request to name.
            if has_request_context():
                log.error("request failed: %s %s", request.method, request.path)
            elif has_websocket_context():
                log.error("socket failed: %s", websocket.path)
        return problem_response(problem, error)

    app.register_error_handler(Exception, handle)
