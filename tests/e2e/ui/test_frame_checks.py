"""Automated frame checks in a real browser against a real `vvtv serve` (issue 16, UI-3 VideoTile,
MOD-1): two members publish from aiortc clients over the product's own routes, one the skin-tone
test picture and one the neutral scene (`tests/synthetic_pictures.py`, made at test time); the
SFU in its worker process scores their frames with the real classifier. bruno, in Party, sees the
skin-tone member's tile blurred (a CSS blur, with its note) and the other one plain."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.ui.tabs import DESKTOP, log_in, open_tab, sign_up
from tests.e2e.ui.test_tiles import Members, _tile, members, server
from tests.server_process import ServerProcess
from tests.synthetic_pictures import PictureVideoTrack

__all__ = ["members", "server"]  # the fixtures, as test_tiles.py makes them

pytestmark = pytest.mark.slow


@pytest.mark.req("MOD-1", "UI-3", "THB-1")
def test_a_tile_whose_camera_the_checks_flag_shows_blurred(
    server: ServerProcess, members: Members, browser: Browser
) -> None:
    members.publish("skin", lambda: PictureVideoTrack("skin_tones", 320, 180, 8))
    members.publish("scene", lambda: PictureVideoTrack("neutral_scene", 320, 180, 8))
    sign_up(server, "bruno")
    context, b = open_tab(browser, viewport=DESKTOP, locale="en-US")
    try:
        b.goto(server, "/party")
        log_in(b, "bruno")
        flagged = _tile(".presence-rail", "skin")
        plain = _tile(".presence-rail", "scene")
        b.until(
            lambda: (
                b.page.locator(f'{flagged}[data-state="live"][data-blurred="true"]').count() == 1
            ),
            "the flagged member's tile plays blurred",
            40,
        )
        blurred = b.page.locator(f"{flagged} video")
        assert "blur" in blurred.evaluate("video => getComputedStyle(video).filter")
        assert b.page.locator(flagged).get_by_text("Hidden by a safety check").is_visible()
        b.until(
            lambda: b.page.locator(f'{plain}[data-state="live"]').count() == 1,
            "the other member's tile plays",
        )
        assert b.page.locator(f"{plain}[data-blurred]").count() == 0
        assert (
            b.page.locator(f"{plain} video").evaluate("video => getComputedStyle(video).filter")
            == "none"
        )
        b.shot("frame-checks-blurred-tile")
    finally:
        context.close()
