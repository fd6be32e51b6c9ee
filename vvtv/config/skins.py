"""A skin over the other config files (OPS-3): its layout and routes become an overlay onto
`mode-manifests.yaml`, its policies a tier and a clamped overlay onto `cost-tiers.yaml`; a problem
in what the skin set is located in `skins.yaml`, where it was written (`SkinLocator`)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Collection
from typing import Any

from vvtv.config.problems import KeyPath
from vvtv.config.schema.skins import Skin


def modes_overlay(skin: Skin, known: Collection[str]) -> dict[str, Any]:
    """The skin's routes and layout in `mode-manifests.yaml`'s shape, for the `known` modes (an
    unknown one is a problem of its own, not a half-written new mode)."""
    app = {
        key: value
        for key, value in (
            ("default_mode", skin.routes.default_mode),
            ("login_lands_in", skin.routes.login_lands_in),
        )
        if value is not None
    }
    modes: dict[str, dict[str, Any]] = {}
    for mode, route in skin.routes.paths.items():
        if mode in known:
            modes.setdefault(mode, {})["route"] = route
    for mode, regions in skin.layout.items():
        if mode in known:
            modes.setdefault(mode, {})["regions"] = dict(regions)
    return {"app": app, "modes": modes}


def modes_written_at(name: str) -> Callable[[KeyPath], KeyPath]:
    def written_at(path: KeyPath) -> KeyPath:
        here: KeyPath = ("skins", name)
        match path:
            case ("app", key, *rest):
                return (*here, "routes", key, *rest)
            case ("modes", mode, "route", *_):
                return (*here, "routes", "paths", mode)
            case ("modes", mode, "regions", *rest):
                return (*here, "layout", mode, *rest)
        return here

    return written_at


def limits_written_at(name: str) -> Callable[[KeyPath], KeyPath]:
    return lambda path: ("skins", name, "policies", "limits", *path)
