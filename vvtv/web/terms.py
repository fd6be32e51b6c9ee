"""`GET /terms`: the terms of use a signup accepts (AUTH-2), as plain text, in the version that
`GET /modes` names (`client.terms_version`); the text is config's (config/terms/)."""

from __future__ import annotations

from quart import Blueprint

from vvtv.config import ConfigBundle
from vvtv.web.routing import Guard
from vvtv.web.routing import PlainText
from vvtv.web.routing import endpoint

TEXT = "text/plain; charset=utf-8"


def routes(config: ConfigBundle, guard: Guard) -> Blueprint:
    bp = Blueprint("terms", __name__)
    text = config.terms.encode()  # config is frozen for the process's life

    @endpoint(bp, "/terms", method="GET", access="public", guard=guard)
    async def terms() -> PlainText:
        """The terms of use, in the version a signup must accept."""
        return PlainText(text, TEXT)

    return bp
