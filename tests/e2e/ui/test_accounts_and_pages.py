"""Signing up and in, every mode page, a deep link through the login, the not-found screen and the
language, in a real browser (UI-1..8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import PASSWORD
from tests.e2e.ui.tabs import PHONE
from tests.e2e.ui.tabs import REPO
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import audit_screen
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import player_time
from tests.e2e.ui.tabs import sign_up
from tests.server_process import CHEAP_HASHING
from tests.server_process import ServerProcess
from tests.server_process import start_server
from tests.server_process import tweaked_config

pytestmark = pytest.mark.slow


@pytest.mark.req("UI-8", "UI-2", "AUTH-2", "UI-5")
def test_signup_lands_in_party_with_the_channel_still_playing(
    channel: ServerProcess, tab: Tab
) -> None:
    """Login CTA → signup sheet (age + terms) → Party, composed from its manifest; the channel
    the stage shares with `/` keeps playing through the crossfade; the event socket opens."""
    page = tab.page
    tab.goto(channel, "/")
    tab.until(lambda: player_time(tab) > 0.5, "the channel plays")
    page.locator(".topbar").get_by_role("button", name="Sign in").click()
    assert tab.attribute(".shell", "data-login") == "open"
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("Username").fill("newviewer")
    page.get_by_label("Password").fill(PASSWORD)
    # The terms being accepted can be read first, in the version the server asks for.
    terms = channel.get("/modes").json()["client"]["terms_version"]
    text = (REPO / "config" / "terms" / f"{terms}.txt").read_text()
    page.get_by_role("button", name="Read the terms of use").click()
    page.locator(".terms[data-state=ready]").wait_for(timeout=UI_TIMEOUT_MS)
    assert page.get_by_role("heading", name=f"Terms of use (version {terms})").is_visible()
    for line in ("1. Who may use Voulezvous", text.split("\n\n")[1].strip()):
        assert page.locator(".terms-text").get_by_text(line, exact=True).is_visible(), line
    page.get_by_role("button", name="Back to sign-up").click()
    assert page.get_by_label("Username").input_value() == "newviewer"  # nothing typed is lost
    page.get_by_label("I am 18 or older").check()
    page.get_by_label("I accept the terms of use").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/party", timeout=UI_TIMEOUT_MS)
    assert tab.attribute(".shell", "data-mode") == "party"
    assert tab.attribute(".shell", "data-login") == "closed"
    assert page.locator('.rail [data-component="PresenceRail"]').count() == 1
    assert page.locator(".topbar").get_by_text("Signed in as newviewer").is_visible()
    before = player_time(tab)
    tab.until(lambda: player_time(tab) > before + 1.0, "the same player keeps playing")
    tab.until(lambda: tab.attribute(".shell", "data-socket") == "open", "the socket is open")
    assert tab.errors == []


@pytest.mark.req("UI-1", "UI-6", "UI-8")
def test_signed_in_every_mode_page_offers_the_modes_and_sign_out(
    tmp_path: Path, browser: Browser
) -> None:
    """Signed in, the top bar of every mode's page, the channel at `/` included, lists the modes
    and the account with its sign-out; signing out at `/` brings the login call to action back."""
    server = start_server(
        tmp_path, "--no-channel", config=tweaked_config(tmp_path, **CHEAP_HASHING)
    )
    sign_up(server, "everywhere")
    context, tab = open_tab(browser, viewport=DESKTOP, locale="en-US")
    page = tab.page
    topbar = page.locator(".topbar")
    try:
        tab.goto(server, "/party")
        log_in(tab, "everywhere")
        tab.until(lambda: tab.attribute(".shell", "data-login") == "closed", "signed in")
        modes = server.get("/modes").json()["modes"]
        routes = {mode["name"]: mode["route"] for mode in modes if ":" not in mode["route"]}
        assert "/" in routes.values()
        for name, route in routes.items():
            tab.goto(server, route)  # a fresh load of the page, as from a bookmark
            tab.until(
                lambda name=name: tab.attribute(".shell", "data-mode") == name, f"{name} mounted"
            )
            assert topbar.get_by_role("button", name="Sign out").is_visible(), name
            assert topbar.get_by_text("Signed in as everywhere").is_visible(), name
            assert topbar.get_by_role("link", name="Mirror").is_visible(), name
        tab.goto(server, "/")
        topbar.get_by_role("button", name="Sign out").click()
        topbar.get_by_role("button", name="Sign in").wait_for(timeout=UI_TIMEOUT_MS)
        assert topbar.get_by_role("button", name="Sign out").count() == 0
        # Off the air (--no-channel), the player's retries of the playlist 404: expected here.
        assert [error for error in tab.errors if "status of 404" not in error] == []
    finally:
        context.close()
        server.stop()


@pytest.mark.req("UI-8", "OPS-2")
def test_an_unknown_address_shows_the_not_found_screen_and_leads_back(
    tmp_path: Path, browser: Browser
) -> None:
    """A mistyped address: the server answers 404 with the shell, which says nothing is there
    (the address stays) and leads back to the channel; an API path stays problem JSON."""
    config = tweaked_config(tmp_path, **CHEAP_HASHING)
    server = start_server(tmp_path, "--no-channel", config=config)
    context, tab = open_tab(browser, viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    page = tab.page
    try:
        for path in ("/nope", "/party/x/y"):
            response = page.goto(server.url + path)
            assert response is not None
            assert response.status == 404
            page.wait_for_selector(".shell", timeout=UI_TIMEOUT_MS)
            assert tab.attribute(".shell", "data-not-found") == "true"
            assert page.get_by_role("heading", name="There's nothing here").is_visible()
            assert page.url == server.url + path
        assert page.locator(".player").count() == 0  # nothing streams on a 404
        audit_screen(tab, "phone-not-found")
        page.get_by_role("link", name="Go to Channel").click()
        page.wait_for_url(server.url + "/", timeout=UI_TIMEOUT_MS)
        tab.until(lambda: tab.attribute(".shell", "data-not-found") is None, "the channel")
        assert tab.attribute(".shell", "data-mode") == "broadcast"
        assert page.locator(".player").count() == 1

        api = page.goto(server.url + "/auth/nope")
        assert api is not None
        assert api.status == 404
        assert api.headers["content-type"] == "application/problem+json"
        # Off the air (--no-channel), the player's retries of the playlist 404: expected here, as
        # is the browser's note of the two 404 pages.
        assert [error for error in tab.errors if "status of 404" not in error] == []
    finally:
        context.close()
        server.stop()


@pytest.mark.req("UI-8", "UI-6", "AUTH-3")
def test_a_deep_link_survives_the_login_and_mirror_shows_the_camera(
    channel: ServerProcess, tab: Tab
) -> None:
    """`/mirror` signed out: the login sheet asks for it and the address stays; after login the
    mirror shows the fake camera, hears the fake microphone, and opens to Party."""
    sign_up(channel, "mirrorfan")
    page = tab.page
    tab.goto(channel, "/mirror")
    assert tab.attribute(".shell", "data-login") == "open"
    assert page.url.endswith("/mirror")
    assert page.get_by_text("Sign in to continue to Mirror.").is_visible()
    # The signup tab asks for an account, not for a sign-in.
    page.get_by_role("button", name="New here? Create an account").click()
    assert page.get_by_role("heading", name="Create your account").is_visible()
    assert page.get_by_text("Create an account to continue to Mirror.").is_visible()
    assert page.get_by_text("Sign in to continue").count() == 0
    page.get_by_role("button", name="Already have an account? Sign in").click()
    log_in(tab, "mirrorfan")
    tab.until(lambda: tab.attribute(".shell", "data-mode") == "mirror", "mirror mounted")
    assert page.url.endswith("/mirror")
    tab.until(lambda: tab.attribute(".mirror-view", "data-camera") == "ok", "camera picture")
    width = page.evaluate("document.querySelector('.mirror-video').videoWidth")
    assert width > 0
    assert page.get_by_text("Camera working").is_visible()
    tab.until(lambda: tab.attribute(".mirror-view", "data-microphone") == "ok", "microphone heard")
    assert page.get_by_label("Camera").locator("option").count() >= 1
    page.get_by_role("button", name="Open to Party").click()
    page.wait_for_url("**/party", timeout=UI_TIMEOUT_MS)
    assert tab.errors == []


@pytest.mark.req("UI-7")
def test_language_follows_the_browser_and_the_switch(
    channel: ServerProcess, browser: Browser
) -> None:
    context, tab = open_tab(browser, viewport=DESKTOP, locale="pt-BR")
    try:
        tab.goto(channel, "/")
        cta = tab.page.locator(".topbar .cta")
        assert cta.inner_text() == "Entrar"
        assert tab.page.evaluate("document.documentElement.lang") == "pt-BR"
        tab.page.get_by_label("Idioma").select_option("en")
        assert cta.inner_text() == "Sign in"
        tab.page.reload()
        tab.page.wait_for_selector(".shell")
        assert tab.page.locator(".topbar .cta").inner_text() == "Sign in"  # the choice is kept
    finally:
        context.close()
