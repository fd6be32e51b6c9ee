"""OPS-3: a clone is a skin of config/skins.yaml, not a fork: theme + layout + routes + policies
over the same manifests and tiers, validated by the same rules."""

from __future__ import annotations

import msgspec
import pytest

from tests.unit.config.conftest import SHIPPED_CONFIG
from vvtv.config import build_runtime_config
from vvtv.config.validate.skins import contrast


@pytest.mark.req("OPS-3", "CFG-6")
def test_the_clone_is_the_same_product_with_its_theme_layout_routes_and_policies() -> None:
    shipped = build_runtime_config(SHIPPED_CONFIG)
    clone = build_runtime_config(SHIPPED_CONFIG, skin="lumiere")
    cheap = build_runtime_config(SHIPPED_CONFIG, tier="COST_LOW")
    # Theme.
    assert (shipped.theme.brand, shipped.theme.color_scheme) == ("Voulezvous", "dark")
    assert (clone.theme.brand, clone.theme.color_scheme) == ("Lumière", "light")
    assert shipped.theme.colors == {}
    assert clone.theme.colors["bg"] == "#f7f4ee"
    # Layout: Sniffers without its filters rail; every other mode's regions as the manifests say.
    sniffers, clone_sniffers = shipped.modes.modes["sniffers"], clone.modes.modes["sniffers"]
    assert sniffers.regions.rail is not None
    assert sniffers.regions.rail.component == "FiltersPanel"
    assert clone_sniffers.regions.rail is None
    assert clone_sniffers.regions.stage == sniffers.regions.stage
    # Routes: Sniffers at /discover, where signing in lands.
    assert (sniffers.route, clone_sniffers.route) == ("/sniffers", "/discover")
    assert (shipped.modes.app.login_lands_in, clone.modes.app.login_lands_in) == (
        "party",
        "sniffers",
    )
    for name, mode in shipped.modes.modes.items():
        if name != "sniffers":
            assert clone.modes.modes[name] == mode, name
    # Policies: the cheap tier, with random calls switched off on top of it.
    assert (shipped.tier, clone.tier) == (None, "COST_LOW")
    assert shipped.limits.feature_flags.random
    assert not clone.limits.feature_flags.random
    flags = msgspec.structs.replace(clone.limits.feature_flags, random=True)
    assert msgspec.structs.replace(clone.limits, feature_flags=flags) == cheap.limits
    assert len({shipped.version, clone.version, cheap.version}) == 3


@pytest.mark.req("OPS-3", "CFG-3")
def test_the_command_lines_tier_wins_over_the_skins_own() -> None:
    clone = build_runtime_config(SHIPPED_CONFIG, tier="INCIDENT", skin="lumiere")
    incident = build_runtime_config(SHIPPED_CONFIG, tier="INCIDENT")
    assert clone.tier == "INCIDENT"
    assert clone.limits.tiles == incident.limits.tiles
    assert not clone.limits.feature_flags.random  # the skin's own policy still holds


@pytest.mark.req("OPS-3")
def test_contrast_is_wcags_ratio() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # AA's well-known edge
