"""`GET /terms`: the terms of use a signup accepts (AUTH-2), as plain text, in the version that
`GET /modes` names (`client.terms_version`); the text is config's (config/terms/)."""

from __future__ import annotations

from quart import Blueprint

from vvtv.config import ConfigBundle
from vvtv.web.routing import Guard
from vvtv.web.routing import PlainText
from vvtv.web.routing import Routes

TEXT = "text/plain; charset=utf-8"


def routes(config: ConfigBundle, guard: Guard) -> Blueprint:
    api = Routes("terms", __name__, guard)
    text = config.terms.encode()  # config is frozen for the process's life

    @api.get("/terms", access="public")
    async def terms() -> PlainText:
        """The terms of use, in the version a signup must accept."""
        return PlainText(text, TEXT)

    return api.blueprint
