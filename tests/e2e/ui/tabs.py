"""What the browser journeys share: a tab that collects what the browser complained about, sign-up
and sign-in steps, and the audit every screen passes (axe, touch targets, nothing off screen)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import Locator
from playwright.sync_api import Page

from tests.browser import ARTIFACTS
from tests.server_process import ServerProcess
from tests.server_process import create_admin

ON_AIR_TIMEOUT_S = 60.0  # the first start prepares the reserve clip with ffmpeg
UI_TIMEOUT_MS = 15_000
REPO = Path(__file__).resolve().parents[3]
AXE = REPO / "vvtv/web/ui/node_modules/axe-core/axe.min.js"
SHOTS = ARTIFACTS / "ui"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
PASSWORD = "correct horse battery"
ESTABLISHED_DAYS = 30  # older than config's quarantine and every age gate of Shield's preset


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


def open_tab(browser: Browser, **options: Any) -> tuple[BrowserContext, Tab]:
    context = browser.new_context(**options)
    page = context.new_page()
    tab = Tab(page)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            # A failed fetch's text names only its status; its location names the resource.
            failed = "Failed to load" in message.text
            url = message.location.get("url", "")
            tab.errors.append(f"{message.text} {url}" if failed else message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    return context, tab


def sign_up(server: ServerProcess, handle: str) -> str:
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


def established(server: ServerProcess, config: Path, handle: str, role: str = "user") -> None:
    """An account the operator's shell makes, dated back ESTABLISHED_DAYS: the server reads it at
    its first sign-in, so it is an established account from the start (no wall clock to move)."""
    created = create_admin(config, server.data_dir, handle, PASSWORD, role=role)
    assert created.returncode == 0, created.stderr
    long_ago = (datetime.now(UTC) - timedelta(days=ESTABLISHED_DAYS)).isoformat()
    with sqlite3.connect(server.data_dir / "vvtv.sqlite3", timeout=10) as db:
        db.execute("UPDATE users SET created_at = ? WHERE handle = ?", (long_ago, handle))


def log_in(tab: Tab, handle: str) -> None:
    page = tab.page
    page.get_by_label("Username").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Sign in").click()


def signed_in_to(tab: Tab, handle: str, mode: str) -> None:
    """On a page that asks for a sign-in: sign in as `handle`, and wait until `mode` is open."""
    tab.until(lambda: tab.attribute(".shell", "data-login") == "open", "the sign-in")
    log_in(tab, handle)
    tab.until(lambda: tab.attribute(".shell", "data-mode") == mode, f"{handle} in {mode}")


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


def under_the_notices(tab: Tab, overlay: str) -> None:
    """An overlay at the top (`overlay`: its selector) starts under the notices (a new account's
    limits), never over their text."""
    notices = tab.page.locator(".notices").bounding_box()
    box = tab.page.locator(overlay).bounding_box()
    assert notices is not None
    assert box is not None
    assert notices["height"] > 0, "a new account is told its limits"
    assert box["y"] >= notices["y"] + notices["height"], (overlay, box, notices)


def audit_screen(tab: Tab, name: str) -> None:
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


def in_viewport(target: Locator, viewport: dict[str, int]) -> bool:
    box = target.bounding_box()
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def player_time(tab: Tab) -> float:
    """Where the channel's player is, in seconds of its media."""
    value: float = tab.page.evaluate("document.querySelector('.player-video').currentTime")
    return value


def in_party(tab: Tab, server: ServerProcess, handle: str) -> None:
    """Sign `handle` in at /party and wait until Party shows with the socket open."""
    tab.goto(server, "/party")
    log_in(tab, handle)
    tab.until(lambda: tab.attribute(".shell", "data-mode") == "party", f"{handle} in Party")
    tab.until(lambda: tab.attribute(".shell", "data-socket") == "open", f"{handle}'s socket")


def chat_fab(tab: Tab) -> Locator:
    return tab.page.locator(".chat-fab")


def open_chat(tab: Tab) -> Locator:
    """Expand the ChatOverlay; its panel once the room's history is in."""
    chat_fab(tab).click()
    panel = tab.page.locator("#chat-overlay")
    panel.locator('.conversation[data-loaded="true"]').wait_for(timeout=UI_TIMEOUT_MS)
    return panel


def send_chat(panel: Locator, text: str) -> None:
    box = panel.locator(".chat-input")
    box.fill(text)
    box.press("Enter")
