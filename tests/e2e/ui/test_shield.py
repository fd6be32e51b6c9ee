"""Shield Mode in real browsers against a real `vvtv serve` (issue 16; MOD-6, UI-3 VideoTile): the
operator switches it on in the console; olga (an established account) is told in one calm line
without reloading (service.notice over /ws) and sees the tile of neo (a new account publishing its
camera from an aiortc client) blurred; nina (a new account) is told plainly that she cannot write
in chat and that Random is for established accounts. Switched off, the line and the blur go, and
nina's message is sent. One server, one browser, three contexts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import audit_screen
from tests.e2e.ui.tabs import established
from tests.e2e.ui.tabs import in_party
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_chat
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import send_chat
from tests.e2e.ui.tabs import sign_up
from tests.e2e.ui.test_tiles import EXPECTED_ERROR
from tests.e2e.ui.test_tiles import Members
from tests.e2e.ui.test_tiles import _tile
from tests.e2e.ui.test_tiles import members
from tests.e2e.ui.test_tiles import server
from tests.server_process import ServerProcess

__all__ = ["members", "server"]  # the fixtures, as test_tiles.py makes them

pytestmark = pytest.mark.slow

CALM_LINE = (
    "We've turned on extra protection for a while, so chat is slower and new accounts can do a"
    " little less. Thanks for your patience."
)


def _switch(admin: Tab, on: bool, reason: str) -> None:
    card = admin.page.locator("[data-card=shield]")
    card.get_by_label("Reason").fill(reason)
    name = "Switch Shield Mode on" if on else "Switch Shield Mode off"
    card.get_by_role("button", name=name).click()
    state = "on" if on else "off"
    admin.until(lambda: card.locator(f'[data-shield="{state}"]').count() == 1, f"Shield {state}")


def _blur(tab: Tab, tile: str) -> str:
    filter_: str = tab.page.locator(f"{tile} video").evaluate(
        "video => getComputedStyle(video).filter"
    )
    return filter_


@pytest.mark.req("MOD-6", "UI-3", "CHT-4")
def test_shield_mode_on_and_off_as_its_users_see_it(
    tmp_path: Path, server: ServerProcess, members: Members, browser: Browser
) -> None:
    started = time.monotonic()
    config = tmp_path / "config"  # test_tiles.py's server runs on this copy
    established(server, config, "opal", role="admin")
    established(server, config, "olga")
    sign_up(server, "nina")
    members.publish("neo")  # new: its tile is one Shield blurs
    contexts = []
    try:
        tabs = {}
        for handle in ("opal", "olga", "nina"):
            context, tabs[handle] = open_tab(browser, viewport=DESKTOP, locale="en-US")
            contexts.append(context)
        admin, olga, nina = tabs["opal"], tabs["olga"], tabs["nina"]
        in_party(olga, server, "olga")
        in_party(nina, server, "nina")
        neo = _tile(".presence-rail", "neo")
        olga.until(
            lambda: olga.page.locator(f'{neo}[data-state="live"] video').count() == 1,
            "neo's tile plays for olga",
            30,
        )
        assert olga.page.locator(f"{neo}[data-blurred]").count() == 0
        assert _blur(olga, neo) == "none"
        olga.page.evaluate("window.__same_page = true")
        nina.page.evaluate("window.__same_page = true")

        admin.goto(server, "/operator")
        log_in(admin, "opal")
        admin.until(lambda: admin.attribute(".shell", "data-mode") == "operator", "the console")
        admin.page.locator("[data-card=shield] [data-shield=off]").wait_for(timeout=UI_TIMEOUT_MS)
        _switch(admin, True, "raid in Party")

        # Olga is told in one calm line, on the page she has open; neo's tile is blurred for her.
        notice = olga.page.locator(".shield-notice")
        notice.wait_for(timeout=UI_TIMEOUT_MS)
        assert notice.get_attribute("role") == "status"
        assert notice.locator("span").inner_text() == CALM_LINE
        olga.until(
            lambda: olga.page.locator(f'{neo}[data-blurred="true"]').count() == 1, "neo blurred"
        )
        assert "blur" in _blur(olga, neo)
        audit_screen(olga, "desktop-shield-on")

        # Nina, a new account, reads chat but is told plainly she cannot write in it for now.
        nina.page.locator(".shield-notice").wait_for(timeout=UI_TIMEOUT_MS)
        room = open_chat(nina)
        send_chat(room, "anyone here?")
        refused = room.locator('.chat-notice[data-kind="refused"]')
        refused.wait_for(timeout=UI_TIMEOUT_MS)
        assert refused.get_attribute("data-code") == "shield_new_accounts"
        assert refused.inner_text() == (
            "New accounts can read chat but not write while extra protection is on."
            " Try again later."
        )
        composer = room.locator(".chat-input")
        nina.until(lambda: composer.input_value() == "anyone here?", "the message given back")
        audit_screen(nina, "desktop-shield-chat-refused")

        # ... and that Random is for established accounts for now.
        nina.page.locator(".topbar").get_by_role("link", name="Random").click()
        nina.until(lambda: nina.attribute(".shell", "data-mode") == "random", "nina in Random")
        start = nina.page.locator(".match-start").get_by_role("button", name="Start", exact=True)
        start.click()
        card = nina.page.locator(".match-refusal")
        card.wait_for(timeout=UI_TIMEOUT_MS)
        assert card.get_attribute("data-code") == "shield_account_age"
        assert card.locator(".match-card-title").inner_text() == (
            "While extra protection is on, Random is for established accounts only."
            " Try again later."
        )
        nina.page.locator(".topbar").get_by_role("link", name="Party").click()
        nina.until(lambda: nina.attribute(".shell", "data-mode") == "party", "nina back")

        # Off: the line and the blur go at once, and nina's message is sent.
        _switch(admin, False, "raid over")
        olga.until(lambda: notice.count() == 0, "the calm line gone")
        olga.until(lambda: olga.page.locator(f"{neo}[data-blurred]").count() == 0, "neo plain")
        assert _blur(olga, neo) == "none"
        nina.until(lambda: nina.page.locator(".shield-notice").count() == 0, "nina's line gone")
        if not nina.page.locator("#chat-overlay").is_visible():  # Random's page put it away
            room = open_chat(nina)
        send_chat(room, "hello party")
        olga_room = open_chat(olga)
        olga.until(
            lambda: "hello party" in olga_room.locator(".chat-body").all_inner_texts(),
            "olga reads nina's message",
        )
        for tab in (olga, nina):
            assert tab.page.evaluate("window.__same_page") is True  # never reloaded
        # Nina's two refusals (the chat post, Random's join) are 403s the browser logs.
        expected = {"olga": (EXPECTED_ERROR,), "opal": (EXPECTED_ERROR,)}
        expected["nina"] = (EXPECTED_ERROR, "status of 403")
        complaints = [
            error
            for handle, tab in tabs.items()
            for error in tab.errors
            if not any(known in error for known in expected[handle])
        ]
        assert complaints == []
        print(f"shield journey: {time.monotonic() - started:.1f} s")
    finally:
        for context in contexts:
            context.close()
