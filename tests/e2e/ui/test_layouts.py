"""Every screen at 390×844 and 1440×900: axe, touch targets, nothing past the viewport (OPS-2).
Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import PHONE
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import audit_screen
from tests.e2e.ui.tabs import in_viewport
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import player_time
from tests.e2e.ui.tabs import sign_up
from tests.server_process import ServerProcess

pytestmark = pytest.mark.slow


def _gone_right(rail: Any, width: int) -> bool:
    box = rail.bounding_box()
    return box is None or box["x"] >= width


@pytest.mark.req("OPS-2", "UI-1", "UI-8")
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_layouts_accessibility_and_touch_targets(
    channel: ServerProcess, browser: Browser, size: str
) -> None:
    """The channel, the login sheet, Party and Mirror at 390×844 and 1440×900: screenshots kept,
    axe-core clean, every touch target ≥ 44 px; on a phone the rail is a drawer and sheets rise
    from the bottom."""
    viewport = PHONE if size == "phone" else DESKTOP
    context, tab = open_tab(
        browser, viewport=viewport, locale="en-US", is_mobile=size == "phone", has_touch=True
    )
    handle = f"layout{size}"
    sign_up(channel, handle)
    page = tab.page
    try:
        tab.goto(channel, "/")
        tab.until(lambda: player_time(tab) > 0.5, "the channel plays")
        audit_screen(tab, f"{size}-channel")

        page.locator(".topbar").get_by_role("button", name="Sign in").click()
        sheet = page.locator("dialog.sheet[open]")
        sheet.wait_for(timeout=UI_TIMEOUT_MS)
        box = sheet.bounding_box()
        assert box is not None
        if size == "phone":  # a bottom sheet: full width, resting on the bottom edge
            assert box["width"] == viewport["width"]
            assert abs(box["y"] + box["height"] - viewport["height"]) <= 1
        else:
            assert box["width"] < viewport["width"] / 2
        audit_screen(tab, f"{size}-login-sheet")
        page.get_by_role("button", name="New here? Create an account").click()
        page.get_by_role("button", name="Read the terms of use").click()
        page.locator(".terms[data-state=ready]").wait_for(timeout=UI_TIMEOUT_MS)
        audit_screen(tab, f"{size}-terms")
        page.get_by_role("button", name="Back to sign-up").click()
        page.get_by_role("button", name="Already have an account? Sign in").click()

        log_in(tab, handle)
        page.wait_for_url("**/party", timeout=UI_TIMEOUT_MS)
        toggle = page.get_by_role("button", name="Open side panel")
        rail = page.locator("#rail")
        if size == "phone":
            assert toggle.is_visible()
            assert _gone_right(rail, viewport["width"])
            toggle.click()
            tab.until(lambda: tab.attribute(".shell", "data-drawer") == "open", "drawer opens")
            page.wait_for_timeout(400)  # let the slide finish for the screenshot
            slid = rail.bounding_box()
            assert slid is not None
            assert slid["x"] + slid["width"] <= viewport["width"] + 1
            tab.shot(f"{size}-party-drawer")
            page.get_by_role("button", name="Close side panel").click()
            tab.until(lambda: _gone_right(rail, viewport["width"]), "the drawer slides away")
        else:
            assert not toggle.is_visible()
            assert rail.is_visible()
        audit_screen(tab, f"{size}-party")

        # Every mode and the sign-out within reach: the top bar, or on a phone its Modes sheet.
        if size == "phone":
            page.locator(".topbar .menu-button").click()
            menu = page.locator("dialog.sheet[open]")
            menu.wait_for(timeout=UI_TIMEOUT_MS)
            audit_screen(tab, f"{size}-modes-sheet")
        else:
            menu = page.locator(".topbar")
        for item in (
            menu.get_by_role("link", name="Mirror"),
            menu.get_by_role("link", name="Live rooms"),
            menu.get_by_role("button", name="Sign out"),
        ):
            assert in_viewport(item, viewport), item
        if size == "phone":
            page.keyboard.press("Escape")
            menu.wait_for(state="detached", timeout=UI_TIMEOUT_MS)

        tab.goto(channel, "/mirror")
        tab.until(lambda: tab.attribute(".mirror-view", "data-camera") == "ok", "camera picture")
        audit_screen(tab, f"{size}-mirror")

        # The channel, signed in: the modes (a phone's menu button) instead of the login CTA.
        tab.goto(channel, "/")
        tab.until(lambda: player_time(tab) > 0.5, "the channel plays")
        modes = page.locator(".topbar .menu-button" if size == "phone" else ".topbar .mode-nav")
        assert in_viewport(modes, viewport)
        audit_screen(tab, f"{size}-channel-signed-in")
        assert tab.errors == []
    finally:
        context.close()
