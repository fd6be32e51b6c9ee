"""`GET /modes`: the manifests the shell composes itself from, as the cost tier allows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as HttpClient

from vvtv.config import build_runtime_config
from vvtv.modes.catalog import mode_catalog

REPO = Path(__file__).resolve().parents[2]


async def test_the_catalog_serves_every_mode_as_regions_and_props(client: HttpClient) -> None:
    response = await client.get("/modes")
    assert response.status_code == 200
    catalog = await response.get_json()
    modes = {mode["name"]: mode for mode in catalog["modes"]}
    assert set(modes) == {
        "broadcast", "party", "sniffers", "random", "private_call", "mirror", "live_public",
    }  # fmt: skip
    assert modes["broadcast"]["route"] == "/"
    assert modes["broadcast"]["requires_auth"] is False
    assert modes["party"]["regions"]["rail"]["component"] == "PresenceRail"
    assert modes["live_public"]["regions"]["rail"]["component"] != "PresenceRail"
    assert catalog["login_lands_in"] == "party"
    assert set(modes["broadcast"]["transitions"].values()) <= {"cut", "crossfade"}


@pytest.mark.req("CFG-6")
def test_a_mode_the_tier_switches_off_is_not_offered_nor_reachable() -> None:
    base = mode_catalog(build_runtime_config(REPO / "config"))
    soft = mode_catalog(build_runtime_config(REPO / "config", "FREE_SOFT_OPENING"))
    assert "live_public" in {mode.name for mode in base.modes}
    assert "live_public" not in {mode.name for mode in soft.modes}
    assert all("live_public" not in mode.transitions for mode in soft.modes)
    assert any("live_public" in mode.transitions for mode in base.modes)
