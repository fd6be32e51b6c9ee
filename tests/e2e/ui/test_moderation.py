"""Report → console → ban in real browsers (MOD-1, MOD-3, MOD-5, TEL-6, AUTH-4): a user reports
another from the ProfileCard in one browser context; a moderator in another sees it in the
console, claims it and bans for good with a reason; the banned user is signed out and refused;
the decision is in their history. A plain user is told the console is not for them. A
moderator's quarantine shows on its user's open page (MOD-6)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import PASSWORD
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import audit_screen
from tests.e2e.ui.tabs import established
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import sign_up
from tests.server_process import CHEAP_HASHING
from tests.server_process import create_admin
from tests.server_process import start_server
from tests.server_process import tweaked_config

pytestmark = pytest.mark.slow


def _in_party(tab: Tab, handle: str) -> None:
    tab.until(lambda: tab.attribute(".shell", "data-login") == "open", "the sign-in")
    log_in(tab, handle)
    tab.until(lambda: tab.attribute(".shell", "data-mode") == "party", f"{handle} in Party")


def _listed(tab: Tab, handle: str) -> bool:
    return tab.page.locator(f".presence-rail .member[data-handle='{handle}']").count() == 1


@pytest.mark.req("MOD-1", "MOD-3", "MOD-5", "TEL-6", "AUTH-4")
def test_a_report_from_a_profile_card_is_claimed_and_ends_in_a_ban(
    tmp_path: Path, browser: Browser
) -> None:
    config = tweaked_config(tmp_path, **CHEAP_HASHING)
    server = start_server(tmp_path, "--no-channel", config=config)
    assert create_admin(config, server.data_dir, "moira", PASSWORD, role="mod").returncode == 0
    sign_up(server, "alice")
    bruno_id = sign_up(server, "bruno")
    a_context, alice = open_tab(browser, viewport=DESKTOP, locale="en-US")
    b_context, bruno = open_tab(browser, viewport=DESKTOP, locale="en-US")
    m_context, mod = open_tab(browser, viewport=DESKTOP, locale="en-US")
    try:
        alice.goto(server, "/party")
        _in_party(alice, "alice")
        bruno.goto(server, "/party")
        _in_party(bruno, "bruno")
        alice.until(lambda: _listed(alice, "bruno"), "alice sees bruno")

        # A plain user is told the console is not for them (the API refuses too).
        alice.goto(server, "/mod")
        alice.until(lambda: alice.attribute(".shell", "data-not-allowed") == "true", "refused")
        assert alice.page.get_by_role("heading", name="This page isn't for you").is_visible()
        alice.goto(server, "/party")
        alice.until(lambda: _listed(alice, "bruno"), "alice sees bruno again")

        # Alice reports Bruno from his card: one click to the sheet, a reason, sent.
        alice.page.locator(".presence-rail .member[data-handle='bruno']").get_by_role(
            "button"
        ).click()
        card = alice.page.locator("dialog.sheet[open] .profile")
        card.wait_for(timeout=UI_TIMEOUT_MS)
        card.get_by_role("button", name="Report").click()
        sheet = alice.page.locator("dialog.sheet[open] .moderation-sheet")
        sheet.wait_for(timeout=UI_TIMEOUT_MS)
        assert sheet.get_by_role("heading", name="Report bruno").is_visible()
        assert sheet.get_attribute("data-context") == "profile_card"
        sheet.get_by_label("Harassment").wait_for(timeout=UI_TIMEOUT_MS)  # reasons from config
        assert sheet.get_by_label("Block bruno too").is_visible()  # Block offered right here
        sheet.get_by_label("Harassment").check()
        audit_screen(alice, "desktop-moderation-sheet")
        sheet.get_by_role("button", name="Send report").click()
        sheet.get_by_text("Thanks. A moderator will look into it.").wait_for(timeout=UI_TIMEOUT_MS)

        # The moderator, in another browser context, finds it in the console and claims it.
        mod.goto(server, "/mod")
        mod.until(lambda: mod.attribute(".shell", "data-login") == "open", "the sign-in")
        log_in(mod, "moira")
        mod.until(lambda: mod.attribute(".shell", "data-mode") == "moderation", "the console")
        page = mod.page
        page.get_by_role("heading", name="Moderation").wait_for(timeout=UI_TIMEOUT_MS)
        row = page.locator(".mod-report", has_text="bruno")
        row.wait_for(timeout=UI_TIMEOUT_MS)
        assert row.get_attribute("data-status") == "open"
        row.locator(".mod-report-open").click()
        detail = page.locator("article.mod-detail")
        # The report's own heading ("Report 1: bruno"), not its history's, once that loads too.
        detail.get_by_role("heading", name="Report 1: bruno").wait_for(timeout=UI_TIMEOUT_MS)
        assert detail.locator("[data-fact=reporter]").inner_text() == "alice"
        assert detail.locator("[data-fact=context]").inner_text().startswith("Profile card")
        assert detail.locator("[data-fact=reason]").inner_text() == "Harassment or bullying"
        audit_screen(mod, "desktop-mod-console")
        detail.get_by_role("button", name="Claim").click()
        detail.get_by_text("You have claimed this report.").wait_for(timeout=UI_TIMEOUT_MS)
        assert "claimed by moira" in detail.locator("[data-fact=status]").inner_text()

        # ... and bans Bruno for good, with a reason.
        detail.get_by_label("Ban", exact=True).check()
        detail.get_by_label("For good").check()
        detail.get_by_label("Reason (kept in the audit log)").fill("harassing people in Party")
        detail.get_by_role("button", name="Decide").click()
        detail.get_by_text("Decision saved.").wait_for(timeout=UI_TIMEOUT_MS)

        # Bruno's tab is signed out at once and told why; his sign-in is refused from now on.
        bruno.until(lambda: bruno.attribute(".shell", "data-mode") == "broadcast", "bruno out")
        assert (
            bruno.page.get_by_role("alert")
            .inner_text()
            .startswith("This account has been suspended")
        )
        refused = httpx.post(
            server.url + "/auth/login", json={"handle": "bruno", "password": PASSWORD}
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "banned")

        # The decision is in Bruno's one history, beside the report that led to it.
        history = detail.locator(".mod-history")
        history.locator("[data-action='moderation.ban']").wait_for(timeout=UI_TIMEOUT_MS)
        assert (
            "harassing people in Party"
            in history.locator("[data-action='moderation.ban']").inner_text()
        )
        assert history.locator("[data-action='report.filed']").count() == 1
        token = httpx.post(
            server.url + "/auth/login", json={"handle": "moira", "password": PASSWORD}
        ).json()["access_token"]
        entries = httpx.get(
            f"{server.url}/admin/users/{bruno_id}/history",
            headers={"Authorization": f"Bearer {token}"},
        ).json()["entries"]
        assert [e["action"] for e in entries][:2] == ["moderation.ban", "ban"]
        # Off the air (--no-channel), the player's retries of the playlist 404: expected here.
        complaints = [e for tab in (alice, mod) for e in tab.errors if "status of 404" not in e]
        assert complaints == []
    finally:
        for context in (a_context, b_context, m_context):
            context.close()
        server.stop()


@pytest.mark.req("MOD-6", "MOD-5")
def test_a_moderators_quarantine_shows_on_the_users_open_page(
    tmp_path: Path, browser: Browser
) -> None:
    """An established account quarantined by a moderator (with a report, through the API) is
    told on the page it has open: the warning, and the quarantine's line naming a moderator's
    decision and its limits, from the sign-in the warning renews (GET /me's flags)."""
    config = tweaked_config(tmp_path, **CHEAP_HASHING)
    server = start_server(tmp_path, "--no-channel", config=config)
    established(server, config, "moira", role="mod")
    established(server, config, "olga")
    sign_up(server, "alice")
    context, olga = open_tab(browser, viewport=DESKTOP, locale="en-US")
    try:
        olga.goto(server, "/party")
        _in_party(olga, "olga")
        olga.until(lambda: olga.attribute(".shell", "data-socket") == "open", "olga's socket")
        assert olga.page.locator(".quarantine-notice").count() == 0  # established: no limits
        olga.page.evaluate("window.__same_page = true")

        def bearer(handle: str) -> dict[str, str]:
            login = {"handle": handle, "password": PASSWORD}
            token = httpx.post(server.url + "/auth/login", json=login).json()["access_token"]
            return {"Authorization": f"Bearer {token}"}

        olga_id = httpx.get(server.url + "/me", headers=bearer("olga")).json()["id"]
        report = httpx.post(
            server.url + "/reports",
            json={"target_user_id": olga_id, "reason_code": "spam", "context": "profile_card"},
            headers=bearer("alice"),
        ).json()["report_id"]
        decision = {"action": "quarantine", "reason": "spamming rooms", "duration_s": 86400}
        decided = httpx.post(
            f"{server.url}/admin/reports/{report}/decision", json=decision, headers=bearer("moira")
        )
        assert decided.status_code == 200, decided.text

        olga.page.locator(".warning-notice").get_by_text("spamming rooms").wait_for(
            timeout=UI_TIMEOUT_MS
        )
        line = olga.page.locator('.quarantine-notice[data-cause="moderator"]')
        line.wait_for(timeout=UI_TIMEOUT_MS)
        text = line.locator("span").inner_text()
        assert text.startswith("A moderator has limited your account until "), text
        assert "You can invite only other limited accounts to a private call." in text
        assert olga.page.evaluate("window.__same_page") is True
        audit_screen(olga, "desktop-moderator-quarantine")
        assert [e for e in olga.errors if "status of 404" not in e] == []
    finally:
        context.close()
        server.stop()
