"""`GET /modes`: public, since the channel at `/` is composed from it before anyone signs in."""

from __future__ import annotations

from quart import Blueprint

from vvtv.config import ConfigBundle
from vvtv.contracts.modes import ModeCatalog
from vvtv.modes.catalog import mode_catalog
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes


def routes(config: ConfigBundle, guard: Guard) -> Blueprint:
    api = Routes("modes", __name__, guard)
    catalog = mode_catalog(config)  # config is frozen for the process's life

    @api.get("/modes", access="public")
    async def modes() -> ModeCatalog:
        """The modes on offer, each a composition of regions → component + props."""
        return catalog

    return api.blueprint
