"""A clone is a skin, not a fork (OPS-3), in a real browser: the same `vvtv serve`, worn with
config/skins.yaml's `lumiere`, shows another product. Its name in the page, the top bar and the
copy; its light colours painted; signing in lands in its discovery grid at its own route, laid out
without the filters rail; random calls, which its policies switch off, are not offered nor spoken
of, and their address leads nowhere. Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import audit_screen
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import sign_up
from tests.server_process import CHEAP_HASHING
from tests.server_process import ServerProcess
from tests.server_process import start_server
from tests.server_process import tweaked_config
from vvtv.config import build_runtime_config

pytestmark = pytest.mark.slow

SKIN = "lumiere"
CLONE = build_runtime_config(Path(__file__).resolve().parents[3] / "config", skin=SKIN)


def _rgb(hex_color: str) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@pytest.fixture
def clone(tmp_path: Path) -> Iterator[ServerProcess]:
    config = tweaked_config(tmp_path, **CHEAP_HASHING)
    server = start_server(tmp_path, "--no-channel", "--skin", SKIN, config=config)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.req("OPS-3", "CFG-6", "UI-2")
def test_a_clone_skin_is_another_product_on_the_same_code(
    clone: ServerProcess, browser: Browser
) -> None:
    theme = CLONE.theme
    context, tab = open_tab(browser, viewport=DESKTOP, locale="en-US")
    page = tab.page
    try:
        # Signed out at `/`: the clone's name and colours.
        tab.goto(clone, "/")
        assert page.title() == theme.brand
        assert page.locator(".topbar .brand").inner_text() == theme.brand
        painted = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        assert painted == _rgb(theme.colors["bg"])
        scheme = page.evaluate("getComputedStyle(document.documentElement).colorScheme")
        assert scheme == theme.color_scheme
        # Video shows on black in every skin: what is written on the player stays light.
        on_video = page.locator(".player").evaluate("player => getComputedStyle(player).color")
        assert on_video != _rgb(theme.colors["text"])
        assert on_video == "rgb(244, 242, 247)"  # styles.css's --video-text
        audit_screen(tab, "skin-lumiere-channel")  # its colours pass axe's contrast checks too

        # Signing in lands in its discovery grid, at its own route, without the filters rail.
        sign_up(clone, "margot")
        page.locator(".topbar").get_by_role("button", name="Sign in").click()
        log_in(tab, "margot")
        tab.until(lambda: tab.attribute(".shell", "data-mode") == "sniffers", "margot in Sniffers")
        page.wait_for_url(clone.url + "/discover", timeout=UI_TIMEOUT_MS)
        assert page.locator(".grid-discovery").is_visible()
        assert page.locator("form.filters").count() == 0
        nav = page.locator(".mode-nav")
        offered = nav.get_by_role("link").all_inner_texts()
        assert "Sniffers" in offered
        assert "Random" not in offered  # its policies switch random calls off
        # A new account is told its limits: chat's, and nothing of a Random it cannot use.
        told = page.locator(".quarantine-notice").inner_text()
        assert "chat messages" in told
        assert "Random" not in told
        audit_screen(tab, "skin-lumiere-discover")

        # Random's address, and Sniffers' usual one, lead nowhere here; the copy says whose.
        for path in ("/random", "/sniffers"):
            tab.goto(clone, path)
            tab.until(lambda: tab.attribute(".shell", "data-not-found") == "true", f"{path}: 404")
            body = f"This address doesn't lead to any part of {theme.brand}"
            assert page.get_by_text(body).is_visible(), path
        assert tab.errors == [] or all("404" in error for error in tab.errors), tab.errors
    finally:
        context.close()
