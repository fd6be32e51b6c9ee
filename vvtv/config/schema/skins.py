"""Typed shape of `config/skins.yaml` (OPS-3): a skin is a clone of the product without a fork, as
theme + layout + routes + policies over the other config files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from typing import Any
from typing import Literal

import msgspec
from msgspec import Meta

from vvtv.config.schema.frozen import ConfigStruct

# The style sheet's custom properties a skin may set (vvtv/web/ui/src/styles.css), by YAML name.
ColorToken = Literal[
    "bg",
    "surface",
    "surface_2",
    "text",
    "muted",
    "accent",
    "accent_text",
    "live",
    "ok",
    "danger",
    "danger_text",
    "focus",
    "line",
    "line_soft",
]
HexColor = Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}$")]
Brand = Annotated[str, Meta(min_length=1, max_length=40)]


class Theme(ConfigStruct):
    brand: Brand  # the product's name: the page's title, the top bar, the loading screen
    color_scheme: Literal["dark", "light"] = "dark"  # the browser's own controls follow it
    # Tokens this skin changes; the others keep the built-in palette.
    colors: Mapping[ColorToken, HexColor] = msgspec.field(default_factory=dict)


class Routes(ConfigStruct):
    """Where the modes are: `mode-manifests.yaml`'s `app` and each mode's `route`, changed."""

    default_mode: str | None = None
    login_lands_in: str | None = None
    paths: Mapping[str, str] = msgspec.field(default_factory=dict)  # mode -> its route


class Policies(ConfigStruct):
    """The cost tier the skin runs on (the command line's `--tier` wins) and an overlay onto its
    limits, clamped like a tier (INV-7): e.g. `feature_flags: {random: false}`."""

    tier: str | None = None
    limits: Mapping[str, Any] = msgspec.field(default_factory=dict)


class Skin(ConfigStruct):
    theme: Theme
    # mode -> its regions, merged onto the manifest's (`rail: null` takes a region away).
    layout: Mapping[str, Mapping[str, Any]] = msgspec.field(default_factory=dict)
    routes: Routes = Routes()
    policies: Policies = Policies()


class Skins(ConfigStruct):
    version: int
    default: str
    skins: Mapping[str, Skin]
