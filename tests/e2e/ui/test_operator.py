"""The operator's console in a real browser (TEL-4/5, INV-7, TEL-1, AUTH-4): an admin watches cost
per mode, the ladder, the funnel and the live counts move as a user signs in and joins Party
(pushed over its socket: no reload, no request to the admin API meanwhile);
pins the ladder and the user's tab says so calmly; a plain user is refused the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import PASSWORD
from tests.e2e.ui.tabs import PHONE
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import audit_screen
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import sign_up
from tests.server_process import CHEAP_HASHING
from tests.server_process import create_admin
from tests.server_process import start_server
from tests.server_process import tweaked_config

pytestmark = pytest.mark.slow

# Fresh figures every second (the cost meter, whose samples push the console, and the client's
# telemetry) so the journey sees each change within a few seconds; the shipped pace is the test
# of the config.
FAST = {"sample_interval_s": 1, "flush_interval_s": 1}


def _figure(tab: Tab, name: str) -> str:
    text: str = tab.page.locator(f"[data-live={name}] dd").inner_text(timeout=UI_TIMEOUT_MS)
    return text


def _step_count(tab: Tab, chain: str, event: str) -> int:
    found = tab.page.locator(f"[data-chain={chain}] [data-event={event}]")
    return int(found.get_attribute("data-count", timeout=UI_TIMEOUT_MS) or 0)


@pytest.mark.req("TEL-4", "TEL-5", "TEL-1", "INV-7", "AUTH-4", "UI-8")
def test_an_admin_watches_the_product_move_pins_the_ladder_and_users_hear_it(
    tmp_path: Path, browser: Browser
) -> None:
    config = tweaked_config(tmp_path, **CHEAP_HASHING, **FAST)
    server = start_server(tmp_path, "--no-channel", config=config)
    created = create_admin(config, server.data_dir, "root", PASSWORD)
    assert created.returncode == 0, created.stderr
    sign_up(server, "viewer")
    admin_context, admin = open_tab(browser, viewport=DESKTOP, locale="en-US")
    user_context, user = open_tab(browser, viewport=PHONE, locale="en-US", is_mobile=True)
    try:
        # Signed out, the console's address asks for a sign-in, then opens the console.
        admin.goto(server, "/operator")
        admin.until(lambda: admin.attribute(".shell", "data-login") == "open", "the sign-in")
        log_in(admin, "root")
        admin.until(lambda: admin.attribute(".shell", "data-mode") == "operator", "the console")
        page = admin.page
        assert admin.attribute(".shell", "data-not-allowed") is None
        page.get_by_role("heading", name="Operator console").wait_for(timeout=UI_TIMEOUT_MS)
        admin.until(lambda: _figure(admin, "party_members") == "0", "nobody in Party")
        admin.until(lambda: page.locator(".operator-level").count() == 1, "the ladder")
        assert admin.attribute(".operator-level", "data-level") == "0"
        assert page.locator(".topbar").get_by_role("link", name="Operator").is_visible()
        signed_in_before = _step_count(admin, "funnel", "auth_success")
        assert signed_in_before >= 1  # the admin's own sign-in
        # The charts draw once the history has two samples (one a second here).
        admin.until(lambda: page.locator(".cost-chart canvas").count() == 2, "two charts")

        # From here the console is pushed over its socket (operator.update), never polled: the
        # page is neither reloaded nor asks the admin API again while the figures move.
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.evaluate("window.__same_page = true")

        # A user signs in and joins Party: the console follows.
        user.goto(server, "/party")
        log_in(user, "viewer")
        user.until(lambda: user.attribute(".shell", "data-mode") == "party", "Party")
        admin.until(lambda: _figure(admin, "party_members") == "1", "one in Party")
        admin.until(
            lambda: _step_count(admin, "funnel", "auth_success") == signed_in_before + 1,
            "the funnel counts the sign-in",
        )
        admin.until(
            lambda: _step_count(admin, "funnel", "enter_mode") >= 2, "the funnel counts Party"
        )
        # Party's session (its tiles) is a cost line, estimated at its profile's ceiling.
        admin.until(
            lambda: page.locator("[data-mode-line=party]").count() == 1, "Party's cost line"
        )
        party = page.locator("[data-mode-line=party] td").all_inner_texts()
        assert party[0] == "1", party  # one session
        assert float(party[1]) > 0, party  # estimated GB/h
        assert [url for url in asked if "/admin/" in url] == []
        assert page.evaluate("window.__same_page") is True
        audit_screen(admin, "desktop-operator")

        # The admin pins the ladder at its second step, with a reason.
        page.get_by_label("Level").select_option("2")
        page.locator("[data-card=ladder]").get_by_label("Reason").fill("drill tonight")
        page.get_by_role("button", name="Pin").click()
        admin.until(lambda: admin.attribute(".operator-level", "data-level") == "2", "pinned")
        assert admin.attribute(".operator-level", "data-pinned") == "true"
        admin.until(
            lambda: page.locator("[data-action='kill_switch.step']").count() >= 1,
            "the pin is in the audit log",
        )
        # The user's tab says so, calmly, and can put it away.
        notice = user.page.locator(".service-notice")
        notice.wait_for(timeout=UI_TIMEOUT_MS)
        assert "still pictures" in notice.inner_text()
        assert notice.get_attribute("role") == "status"
        user.shot("phone-service-notice")
        # A tab opened now (its socket opened after the step) is told too.
        user.page.reload()
        user.page.locator(".service-notice").wait_for(timeout=UI_TIMEOUT_MS)
        user.page.locator(".service-notice").get_by_role("button", name="OK").click()
        assert user.page.locator(".service-notice").count() == 0

        # Given back to the load, the ladder goes back to 0 and the notice away.
        page.locator("[data-card=ladder]").get_by_label("Reason").fill("drill over")
        page.get_by_role("button", name="Give back to the load").click()
        admin.until(lambda: admin.attribute(".operator-level", "data-level") == "0", "unpinned")

        # A plain user is refused the page, and is not offered it.
        assert user.page.locator(".topbar").get_by_role("link", name="Operator").count() == 0
        user.goto(server, "/operator")
        user.until(lambda: user.attribute(".shell", "data-not-allowed") == "true", "refused")
        user.page.get_by_role("heading", name="This page isn't for you").wait_for(
            timeout=UI_TIMEOUT_MS
        )
        assert user.page.locator(".operator-console").count() == 0
        audit_screen(user, "phone-operator-not-allowed")
        # Off the air (--no-channel), a player's tries of the playlist 404: expected (Party's
        # player retries it; the admin's tab may pass the channel on its way to the console).
        assert [error for error in admin.errors if "/live/master.m3u8" not in error] == []
        assert [error for error in user.errors if "status of 404" not in error] == []
    finally:
        admin_context.close()
        user_context.close()
        server.stop()
