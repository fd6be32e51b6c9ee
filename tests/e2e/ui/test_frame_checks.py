"""Automated frame checks in a real browser against a real `vvtv serve` (issue 16, UI-3 VideoTile,
MOD-1): two members publish from aiortc clients over the product's own routes, one the skin-tone
test picture and one the neutral scene (`tests/synthetic_pictures.py`, made at test time); the
SFU in its worker process scores their frames with the real classifier. bruno, in Party, sees the
skin-tone member's tile blurred (a CSS blur, with its note) and the other one plain; a moderator
finds the frame check's report in the console (MOD-5): raised by no one, the check's score, the
tile it was seen as, its still kept for review."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import PASSWORD
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import sign_up
from tests.e2e.ui.tabs import signed_in_to
from tests.e2e.ui.test_tiles import Members
from tests.e2e.ui.test_tiles import _tile
from tests.e2e.ui.test_tiles import members
from tests.e2e.ui.test_tiles import server
from tests.server_process import ServerProcess
from tests.server_process import create_admin
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


@pytest.mark.req("MOD-1", "MOD-5", "TEL-3")
def test_a_frame_checks_report_is_in_the_mod_console_with_its_score(
    server: ServerProcess, members: Members, browser: Browser, tmp_path: Path
) -> None:
    config = tmp_path / "config"  # the server fixture's (tweaked_config)
    assert create_admin(config, server.data_dir, "moira", PASSWORD, role="mod").returncode == 0
    members.publish("skin", lambda: PictureVideoTrack("skin_tones", 320, 180, 8))
    context, mod = open_tab(browser, viewport=DESKTOP, locale="en-US")
    try:
        mod.goto(server, "/mod")
        signed_in_to(mod, "moira", "moderation")
        page = mod.page
        row = page.locator(".mod-report", has_text="skin")

        def reported() -> bool:  # the SFU checks in real time: refresh until it is in
            if row.count() == 0:
                # The queue's own Refresh (the held messages' section has one too).
                page.locator(".mod-console > .mod-head").get_by_role(
                    "button", name="Refresh"
                ).click()
            return row.count() == 1

        mod.until(reported, "the frame check's report in the queue", 40)
        assert row.locator(".mod-report-source").inner_text() == "Frame check"
        page.get_by_label("Raised by").select_option(label="A person")
        mod.until(lambda: row.count() == 0, "a person's reports only: not this one")
        page.get_by_label("Raised by").select_option(label="Frame check")
        row.wait_for(timeout=UI_TIMEOUT_MS)
        row.locator(".mod-report-open").click()
        detail = page.locator("article.mod-detail")
        detail.get_by_role("heading", name="Report 1: skin").wait_for(timeout=UI_TIMEOUT_MS)
        raised = detail.locator("[data-fact=reporter]")
        assert raised.get_attribute("data-raised-by") == "frame_check"
        assert raised.inner_text().startswith("Frame check · score 0.")
        assert detail.locator("[data-fact=context]").inner_text() == "Live tile · party"
        assert detail.locator("[data-fact=reason]").inner_text() == "Unwanted sexual content"
        assert detail.get_by_text("A still of their video is kept for review until").is_visible()
        mod.shot("mod-console-frame-check-report")
    finally:
        context.close()
