"""The web shell in a real browser (UI-1..8, OPS-2): Debian's Chromium with a fake camera against a
real `vvtv serve` airing the channel. Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Route,
    sync_playwright,
)

from tests.browser import ARGS, ARTIFACTS, CHROMIUM
from tests.server_process import (
    CHEAP_HASHING,
    ONE_RESERVE_CLIP,
    ServerProcess,
    create_admin,
    start_server,
    tweaked_config,
    wait_on_air,
)
from vvtv.web.shell import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.slow

ON_AIR_TIMEOUT_S = 60.0  # the first start prepares the reserve clip with ffmpeg
UI_TIMEOUT_MS = 15_000
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "vvtv/web/ui/node_modules/axe-core/axe.min.js"
SHOTS = ARTIFACTS / "ui"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("channel")
    server = start_server(tmp, config=tweaked_config(tmp, **ONE_RESERVE_CLIP, **CHEAP_HASHING))
    try:
        wait_on_air(server, ON_AIR_TIMEOUT_S)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Tab:
    """A page with everything the browser complained about collected."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def goto(self, server: ServerProcess, path: str) -> None:
        self.page.goto(server.url + path)
        self.page.wait_for_selector(".shell", timeout=UI_TIMEOUT_MS)

    def attribute(self, selector: str, name: str) -> str | None:
        return self.page.get_attribute(selector, name, timeout=UI_TIMEOUT_MS)

    def until(self, check: Callable[[], object], what: str, timeout_s: float = 15.0) -> None:
        """Poll `check` (a Promise in wait_for_function is truthy at once, so poll ourselves)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if check():
                return
            self.page.wait_for_timeout(100)
        raise AssertionError(f"timed out waiting until {what}; errors: {self.errors}")

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))


def _open(browser: Browser, **options: Any) -> tuple[BrowserContext, Tab]:
    context = browser.new_context(**options)
    page = context.new_page()
    tab = Tab(page)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    return context, tab


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    context, opened = _open(browser, viewport=DESKTOP, locale="en-US")
    yield opened
    context.close()


def _signup(server: ServerProcess, handle: str) -> str:
    """A new account, made through the API; its user id."""
    terms = server.get("/modes").json()["client"]["terms_version"]
    response = httpx.post(
        server.url + "/auth/signup",
        json={
            "handle": handle,
            "password": PASSWORD,
            "age_confirmed": True,
            "terms_version": terms,
        },
    )
    assert response.status_code == 201, response.text
    user_id: str = response.json()["user"]["id"]
    return user_id


def _log_in(tab: Tab, handle: str) -> None:
    page = tab.page
    page.get_by_label("Username").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Sign in").click()


def _current_time(tab: Tab) -> float:
    value: float = tab.page.evaluate("document.querySelector('.player-video').currentTime")
    return value


@pytest.mark.req("UI-6", "LAB-5", "LAB-6")
def test_root_plays_the_live_channel_with_its_reserve_loop_state(
    channel: ServerProcess, tab: Tab
) -> None:
    """`/`: hls.js plays the channel (time advances, no player error); with an empty catalog the
    reserve loop is on air and the player says so; the call to action offers a login."""
    tab.goto(channel, "/")
    tab.until(lambda: _current_time(tab) > 1.0, "the channel plays")
    started = _current_time(tab)
    tab.until(lambda: _current_time(tab) > started + 2.0, "playback keeps advancing")
    assert tab.attribute(".player", "data-state") == "playing"
    assert tab.attribute(".player", "data-fatal-errors") == "0"
    tab.until(lambda: tab.attribute(".player", "data-on-air") == "reserve", "reserve state shown")
    assert tab.page.get_by_text("We'll be right back").is_visible()
    assert tab.page.locator(".topbar").get_by_role("button", name="Sign in").is_visible()
    assert tab.page.get_by_role("button", name="Tap for sound").is_visible()  # autoplay is muted
    assert tab.errors == []


@pytest.mark.req("UI-6")
def test_off_the_air_the_player_waits_calmly_and_tunes_in_when_the_channel_returns(
    channel: ServerProcess, tab: Tab
) -> None:
    """The channel says it is off: a calm offline state, and no hammering of the playlist while
    it stays off; once it is back, the player tunes in at the next status poll, not later.
    The page's clock is Playwright's fake one, advanced by hand."""
    page = tab.page
    off = {"on_air": "off", "item_id": None, "title": None, "up_next": []}
    playlists: list[str] = []
    page.on("request", lambda r: playlists.append(r.url) if "master.m3u8" in r.url else None)
    page.clock.install()
    page.route("**/channel/now", lambda route: route.fulfill(json=off))
    page.route("**/live/master.m3u8", lambda route: route.fulfill(status=404, json={}))
    tab.goto(channel, "/")
    tab.until(lambda: tab.attribute(".player", "data-state") == "offline", "offline shown")
    assert tab.attribute(".player", "data-on-air") == "off"
    assert page.get_by_text("The channel is off the air right now").is_visible()
    # From here the page's time moves only when the test says so.
    page.clock.pause_at(page.evaluate("Date.now()") + 1)
    client = channel.get("/modes").json()["client"]
    tried = len(playlists)
    assert tried <= 1  # at most the first try, racing the first status answer
    page.clock.run_for(int(client["player_retry_s"] * 1000 * 10))  # ten retry periods
    assert len(playlists) == tried  # while the status says off, there is nothing to fetch
    assert tab.attribute(".player", "data-state") == "offline"

    page.unroute("**/channel/now")
    page.unroute("**/live/master.m3u8")
    # Step the clock to the next status poll, and no further (a retry would also fetch).
    for _ in range(int(client["channel_poll_s"] * 10)):
        if tab.attribute(".player", "data-on-air") == "reserve":
            break
        page.clock.run_for(100)
    assert tab.attribute(".player", "data-on-air") == "reserve"
    # It fetches at once, with the page's clock still stopped: no retry timer could have fired.
    tab.until(lambda: len(playlists) == tried + 1, "the playlist fetched")
    page.clock.resume()
    tab.until(lambda: tab.attribute(".player", "data-state") == "playing", "tuned in")
    assert len(playlists) == tried + 1


@pytest.mark.req("UI-8", "UI-2", "AUTH-2", "UI-5")
def test_signup_lands_in_party_with_the_channel_still_playing(
    channel: ServerProcess, tab: Tab
) -> None:
    """Login CTA → signup sheet (age + terms) → Party, composed from its manifest; the channel
    the stage shares with `/` keeps playing through the crossfade; the event socket opens."""
    page = tab.page
    tab.goto(channel, "/")
    tab.until(lambda: _current_time(tab) > 0.5, "the channel plays")
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
    before = _current_time(tab)
    tab.until(lambda: _current_time(tab) > before + 1.0, "the same player keeps playing")
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
    _signup(server, "everywhere")
    context, tab = _open(browser, viewport=DESKTOP, locale="en-US")
    page = tab.page
    topbar = page.locator(".topbar")
    try:
        tab.goto(server, "/party")
        _log_in(tab, "everywhere")
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
    context, tab = _open(browser, viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
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
        _audit(tab, "phone-not-found")
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
    _signup(channel, "mirrorfan")
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
    _log_in(tab, "mirrorfan")
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
    context, tab = _open(browser, viewport=DESKTOP, locale="pt-BR")
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


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
}"""
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, a[href], select, input:not([type=checkbox]):not([type=radio]), label.check')]
  .filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  })
  .filter(el => {
    const box = el.getBoundingClientRect();
    return box.height < 44 || box.width < 44;
  })
  .map(el => el.outerHTML.slice(0, 120))"""
OVERFLOW = "document.documentElement.scrollWidth > window.innerWidth"
# An open <dialog> sits in the top layer, fixed to the viewport: what overflows it scrolls or is
# clipped inside it, and the document's width never shows it. So every element is measured.
OUTSIDE_VIEWPORT = """() => [...document.querySelectorAll(
    'dialog[open], dialog[open] *, .topbar, .topbar *')]
  .filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0
      && (box.left < -0.5 || box.right > window.innerWidth + 0.5);
  })
  .map(el => el.outerHTML.slice(0, 120))"""


def _audit(tab: Tab, name: str) -> None:
    """Screenshot, axe (no serious or critical violation), touch targets, no sideways scroll, and
    nothing of an open sheet or of the top bar past the viewport's sides."""
    tab.shot(name)
    # evaluate, not a <script> tag: the page's CSP rightly allows no inline script
    tab.page.evaluate(AXE.read_text())
    violations = tab.page.evaluate(AXE_RUN)
    assert violations == [], json.dumps(violations, indent=1)
    assert tab.page.evaluate(SMALL_TARGETS) == []
    assert not tab.page.evaluate(OVERFLOW)
    assert tab.page.evaluate(OUTSIDE_VIEWPORT) == []


def _in_viewport(target: Locator, viewport: dict[str, int]) -> bool:
    box = target.bounding_box()
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


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
    context, tab = _open(
        browser, viewport=viewport, locale="en-US", is_mobile=size == "phone", has_touch=True
    )
    handle = f"layout{size}"
    _signup(channel, handle)
    page = tab.page
    try:
        tab.goto(channel, "/")
        tab.until(lambda: _current_time(tab) > 0.5, "the channel plays")
        _audit(tab, f"{size}-channel")

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
        _audit(tab, f"{size}-login-sheet")
        page.get_by_role("button", name="New here? Create an account").click()
        page.get_by_role("button", name="Read the terms of use").click()
        page.locator(".terms[data-state=ready]").wait_for(timeout=UI_TIMEOUT_MS)
        _audit(tab, f"{size}-terms")
        page.get_by_role("button", name="Back to sign-up").click()
        page.get_by_role("button", name="Already have an account? Sign in").click()

        _log_in(tab, handle)
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
        _audit(tab, f"{size}-party")

        # Every mode and the sign-out within reach: the top bar, or on a phone its Modes sheet.
        if size == "phone":
            page.locator(".topbar .menu-button").click()
            menu = page.locator("dialog.sheet[open]")
            menu.wait_for(timeout=UI_TIMEOUT_MS)
            _audit(tab, f"{size}-modes-sheet")
        else:
            menu = page.locator(".topbar")
        for item in (
            menu.get_by_role("link", name="Mirror"),
            menu.get_by_role("link", name="Live rooms"),
            menu.get_by_role("button", name="Sign out"),
        ):
            assert _in_viewport(item, viewport), item
        if size == "phone":
            page.keyboard.press("Escape")
            menu.wait_for(state="detached", timeout=UI_TIMEOUT_MS)

        tab.goto(channel, "/mirror")
        tab.until(lambda: tab.attribute(".mirror-view", "data-camera") == "ok", "camera picture")
        _audit(tab, f"{size}-mirror")

        # The channel, signed in: the modes (a phone's menu button) instead of the login CTA.
        tab.goto(channel, "/")
        tab.until(lambda: _current_time(tab) > 0.5, "the channel plays")
        modes = page.locator(".topbar .menu-button" if size == "phone" else ".topbar .mode-nav")
        assert _in_viewport(modes, viewport)
        _audit(tab, f"{size}-channel-signed-in")
        assert tab.errors == []
    finally:
        context.close()


@pytest.mark.req("UI-5", "OPS-5")
def test_the_socket_reconnects_and_refreshes_in_band(tmp_path: Path, browser: Browser) -> None:
    """A dropped socket comes back by itself (backoff from config); an expiring token is renewed
    in-band (`auth.refresh` → `auth.refreshed`) while the socket stays open."""
    config = tweaked_config(tmp_path, **CHEAP_HASHING, access_ttl_s=4, token_refresh_lead_s=1)
    server = start_server(tmp_path, "--no-channel", config=config)
    _signup(server, "socketfan")
    context, tab = _open(browser, viewport=DESKTOP, locale="en-US")
    connections: list[Any] = []
    sent: list[str] = []
    received: list[str] = []

    def route(ws: Any) -> None:
        upstream = ws.connect_to_server()
        connections.append(ws)

        def to_server(message: str | bytes) -> None:
            sent.append(json.loads(message)["type"])
            upstream.send(message)

        def to_page(message: str | bytes) -> None:
            received.append(json.loads(message)["type"])
            ws.send(message)

        ws.on_message(to_server)
        upstream.on_message(to_page)

    try:
        tab.page.route_web_socket("**/ws", route)
        tab.goto(server, "/party")
        _log_in(tab, "socketfan")
        # Off the air (--no-channel), the player's retries of the playlist 404: expected here.
        ignored = "status of 404"
        tab.until(lambda: tab.attribute(".shell", "data-socket") == "open", "the socket opens")
        assert sent[:1] == ["auth"]
        assert "auth.ok" in received
        connections[-1].close(code=1012, reason="restarting")  # the server side goes away
        tab.until(lambda: len(connections) == 2, "a second connection")
        tab.until(lambda: tab.attribute(".shell", "data-socket") == "open", "open again")
        tab.until(lambda: "auth.refreshed" in received, "an in-band refresh", timeout_s=20)
        assert "auth.expired" in received
        assert "auth.refresh" in sent
        assert len(connections) == 2  # refreshed in-band, no reconnect
        assert tab.attribute(".shell", "data-socket") == "open"
        assert [error for error in tab.errors if ignored not in error] == []
    finally:
        context.close()
        server.stop()


ON_AIR_PLAN = {
    "on_air": "plan",
    "item_id": "night-drive",
    "title": "Night drive",
    "up_next": [
        {"item_id": "sunrise", "title": "Sunrise"},
        {"item_id": "harbour", "title": "Harbour"},
    ],
}


def _transition(tab: Tab) -> str | None:
    return tab.attribute(".transition-layer", "data-transition")


@pytest.mark.req("UI-2", "UI-4", "UI-6")
def test_modes_hand_over_as_their_manifests_say(tmp_path: Path, browser: Browser) -> None:
    """Party → Sniffers crossfades, Sniffers → Random holds a placeholder, Random → Mirror cuts
    (hints from config/mode-manifests.yaml, slowed down here to be seen); back/forward follow;
    the player shows what is on air from the plan; the funnel events reach the server."""
    config = tweaked_config(tmp_path, **CHEAP_HASHING, transition_ms=1500, flush_interval_s=1)
    server = start_server(tmp_path, "--no-channel", config=config)
    _signup(server, "modehopper")
    context, tab = _open(browser, viewport=DESKTOP, locale="en-US")
    page = tab.page
    # The channel's status as a planned item airs (the LAB's own tests air a real plan).
    page.route("**/channel/now", lambda route: route.fulfill(json=ON_AIR_PLAN))
    telemetry: list[int] = []
    page.on(
        "response",
        lambda response: (
            telemetry.append(response.status)
            if response.url.endswith("/telemetry/events")
            else None
        ),
    )
    try:
        tab.goto(server, "/party")
        _log_in(tab, "modehopper")
        page.wait_for_url("**/party", timeout=UI_TIMEOUT_MS)
        on_air = page.locator(".now-on-air")
        on_air.wait_for(timeout=UI_TIMEOUT_MS)
        assert on_air.inner_text() == "On air now Night drive"
        assert page.locator(".up-next").inner_text() == "Up next Sunrise · Harbour"

        page.get_by_role("link", name="Sniffers").click()
        tab.until(lambda: _transition(tab) == "crossfade", "a crossfade")
        assert page.locator(".stage-content.fade-in [data-component=GridDiscovery]").count() == 1
        tab.until(lambda: _transition(tab) == "none", "the crossfade ends")

        page.get_by_role("link", name="Random").click()
        tab.until(lambda: _transition(tab) == "placeholder", "a placeholder")
        assert page.locator(".stage-placeholder").is_visible()
        page.locator("#stage [data-component=CallUI]").wait_for(state="attached")
        assert _transition(tab) == "none"

        page.get_by_role("link", name="Mirror").click()
        page.wait_for_url("**/mirror")
        assert _transition(tab) == "none"  # a cut: the next frame is the mirror
        assert page.locator("#stage [data-component=MirrorView]").count() == 1

        page.go_back()
        tab.until(lambda: tab.attribute(".shell", "data-mode") == "random", "back to Random")
        page.go_forward()
        tab.until(lambda: tab.attribute(".shell", "data-mode") == "mirror", "forward again")
        tab.until(lambda: len(telemetry) >= 2, "telemetry batches sent")
        assert set(telemetry) <= {200, 202}, telemetry  # declared events, typed properties
        assert [error for error in tab.errors if "status of 404" not in error] == []
    finally:
        context.close()
        server.stop()


@pytest.mark.req("MOD-3", "UI-8")
def test_a_ban_signs_the_viewer_out_and_says_why(tmp_path: Path, browser: Browser) -> None:
    """A moderator bans a signed-in viewer: the socket's `banned` event signs this tab out, the
    shell leaves Party for the channel and tells the person why."""
    config = tweaked_config(tmp_path, **CHEAP_HASHING)
    server = start_server(tmp_path, "--no-channel", config=config)
    user_id = _signup(server, "troublemaker")
    assert create_admin(config, server.data_dir, "root", PASSWORD).returncode == 0
    admin = httpx.post(
        server.url + "/auth/login", json={"handle": "root", "password": PASSWORD}
    ).json()
    context, tab = _open(browser, viewport=DESKTOP, locale="en-US")
    try:
        tab.goto(server, "/party")
        _log_in(tab, "troublemaker")
        tab.until(lambda: tab.attribute(".shell", "data-socket") == "open", "the socket opens")
        banned = httpx.post(
            server.url + "/admin/bans",
            json={"user_id": user_id, "reason": "spam"},
            headers={"Authorization": f"Bearer {admin['access_token']}"},
        )
        assert banned.status_code == 201, banned.text
        tab.until(lambda: tab.attribute(".shell", "data-mode") == "broadcast", "back to /")
        tab.page.wait_for_url(server.url + "/", timeout=UI_TIMEOUT_MS)
        alert = tab.page.get_by_role("alert")
        assert alert.inner_text().startswith("This account has been suspended")
        assert tab.page.evaluate("localStorage.getItem('vvtv.session')") is None
        assert tab.attribute(".shell", "data-socket") in ("idle", "closed")
    finally:
        context.close()
        server.stop()


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
OPERATION_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})
SCRIPTS = re.compile(r'<script\b[^>]*?\bsrc="([^"]+)"')
STYLE_SHEETS = re.compile(r'<link\b[^>]*?\brel="stylesheet"[^>]*?\bhref="([^"]+)"')


@pytest.mark.req("CON-2")
def test_the_api_docs_render_offline_from_our_own_files(tmp_path: Path, browser: Browser) -> None:
    """`/docs` under the pages' CSP, every script and style sheet from this origin (each answers),
    and, with the browser unable to reach anything but the server, Swagger UI lists every
    operation of /openapi.json: no CDN, no inline initializer, no third party."""
    config = tweaked_config(tmp_path, **CHEAP_HASHING)
    server = start_server(tmp_path, "--no-channel", config=config)
    context, tab = _open(browser, viewport=DESKTOP, locale="en-US")
    outside: list[str] = []

    def loopback_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        page = server.get("/docs")
        assert page.status_code == 200
        assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        scripts, styles = SCRIPTS.findall(page.text), STYLE_SHEETS.findall(page.text)
        assert scripts
        assert styles
        assert "<script>" not in page.text  # nothing inline
        assert "<style" not in page.text
        for url in scripts + styles:
            assert urlsplit(url).netloc == "", url  # this origin only
            assert url.startswith("/"), url
            assert server.get(url).status_code == 200, url
        paths = server.get("/openapi.json").json()["paths"]
        operations = sum(len(OPERATION_METHODS & set(item)) for item in paths.values())

        context.route("**/*", loopback_only)
        tab.page.goto(server.url + "/docs")
        blocks = tab.page.locator("#swagger-ui .opblock")
        blocks.first.wait_for(timeout=UI_TIMEOUT_MS)
        tab.until(lambda: blocks.count() == operations, f"{operations} operations listed")
        assert tab.page.locator(".opblock-summary-path", has_text="/auth/signup").count() == 1
        tab.shot("desktop-docs")
        assert outside == []
        assert tab.errors == []  # a CSP refusal is a console error
    finally:
        context.close()
        server.stop()
