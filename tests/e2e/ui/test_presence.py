"""Presence in real browsers (PRS-1..5, MOD-2, UI-6, OPS-2): three people, each in a Chromium
context of their own with the fake camera, against a real `vvtv serve`. They see each other in
Party without a reload, a block hides both ways, a closed page is gone within the TTL, and going
back to the channel leaves at once. Screenshots at 390×844 and 1440×900 go to test-artifacts/ui/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import PHONE
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import audit_screen
from tests.e2e.ui.tabs import in_party
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import sign_up
from tests.server_process import CHEAP_HASHING
from tests.server_process import ServerProcess
from tests.server_process import start_server
from tests.server_process import tweaked_config

pytestmark = pytest.mark.slow

# A short TTL keeps the journey short; the UI's heartbeat follows config (GET /modes `client`).
GHOST_TTL_S = 4
PRESENCE = {
    "ghost_ttl_s": GHOST_TTL_S,
    "heartbeat_interval_s": 1,
    "sweep_interval_s": 1,
    "removal_deadline_s": 6,
}
SEEN_WITHIN_S = 5.0  # "within a few seconds, without a reload"
# Off the air (--no-channel), the Party stage's player retries a playlist that 404s: expected.
EXPECTED_ERROR = "status of 404"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    config = tweaked_config(tmp_path, **CHEAP_HASHING, **PRESENCE)
    started = start_server(tmp_path, "--no-channel", config=config)
    try:
        yield started
    finally:
        started.stop()


# Whether what is at the centre of `selector` is it (or inside it): nothing covers it.
ON_TOP = """selector => {
  const element = document.querySelector(selector);
  const box = element.getBoundingClientRect();
  return element.contains(document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2));
}"""


def _rail_member(handle: str) -> str:
    return f'.presence-rail .member[data-handle="{handle}"]'


def _lists(tab: Tab, handle: str) -> bool:
    return tab.page.locator(_rail_member(handle)).count() == 1


def _camera(tab: Tab, handle: str) -> str | None:
    return tab.page.get_attribute(_rail_member(handle), "data-camera", timeout=UI_TIMEOUT_MS)


def _settled(tab: Tab) -> None:
    """The mode's handover (a crossfade) is over: what a screenshot shows is what stays."""
    tab.until(lambda: tab.attribute(".transition-layer", "data-transition") == "none", "settled")


def _errors(tab: Tab) -> list[str]:
    return [error for error in tab.errors if EXPECTED_ERROR not in error]


@pytest.mark.req("PRS-1", "PRS-2", "PRS-4", "PRS-5", "MOD-2", "OPS-2")
def test_three_people_see_block_and_lose_each_other_in_party(
    server: ServerProcess, browser: Browser
) -> None:
    """A opens to Party from Mirror (camera on), B comes straight to Party (camera off): each sees
    the other within seconds, without a reload. A back on the channel leaves B's list at once,
    long before the TTL. C blocks A from A's card: A leaves C's list and C leaves A's; B still
    sees both. B closes the page: gone from A's and C's lists within the TTL plus a sweep."""
    for handle in ("alice", "bruno", "carla"):
        sign_up(server, handle)
    contexts = []
    try:
        context, a = open_tab(browser, viewport=DESKTOP, locale="en-US")
        contexts.append(context)
        phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
        context, b = open_tab(browser, locale="en-US", **phone)
        contexts.append(context)
        context, c = open_tab(browser, viewport=DESKTOP, locale="en-US")
        contexts.append(context)

        # A: Mirror, then "Open to Party" with the camera on.
        a.goto(server, "/mirror")
        log_in(a, "alice")
        a.until(lambda: a.attribute(".mirror-view", "data-camera") == "ok", "A's camera")
        a.page.get_by_role("button", name="Open to Party").click()
        a.page.wait_for_url("**/party", timeout=UI_TIMEOUT_MS)
        a.until(lambda: a.attribute(".presence-rail", "data-status") == "ready", "A's list")
        # Alone: the empty state says what to do (A's camera is already on).
        assert a.page.get_by_text("No one else is here yet").is_visible()
        assert a.page.get_by_text("You're here with your camera on").is_visible()

        # B: straight into Party (camera off); A and B see each other without a reload.
        in_party(b, server, "bruno")
        a.until(lambda: _lists(a, "bruno"), "A sees B", timeout_s=SEEN_WITHIN_S)
        b.until(lambda: _lists(b, "alice"), "B sees A", timeout_s=SEEN_WITHIN_S)
        assert _camera(a, "bruno") == "off"
        assert _camera(b, "alice") == "on"
        rail_b = b.page.locator(_rail_member("alice"))
        assert rail_b.get_by_role("img", name="Camera on").count() == 1
        assert (
            a.page.locator(_rail_member("bruno")).get_by_role("img", name="Camera off").count() == 1
        )
        assert b.page.get_by_text("You're visible · camera off").count() == 1
        audit_screen(a, "desktop-presence-party")
        # On a phone the list is the drawer.
        b.page.get_by_role("button", name="Open side panel").click()
        b.until(lambda: b.attribute(".shell", "data-drawer") == "open", "B's drawer opens")
        b.page.wait_for_timeout(400)  # the slide, for the screenshot
        assert rail_b.is_visible()
        audit_screen(b, "phone-presence-drawer")

        # A back on the channel: out of B's list at once (a leave, not the TTL) ...
        a.page.locator(".topbar .brand").click()
        a.until(lambda: a.attribute(".shell", "data-mode") == "broadcast", "A on the channel")
        started = time.monotonic()
        b.until(lambda: not _lists(b, "alice"), "A leaves B's list", timeout_s=SEEN_WITHIN_S)
        assert time.monotonic() - started < GHOST_TTL_S
        # ... and back in Party with the camera off now.
        a.page.locator(".topbar").get_by_role("link", name="Party").click()
        b.until(lambda: _lists(b, "alice"), "A back in B's list", timeout_s=SEEN_WITHIN_S)
        assert _camera(b, "alice") == "off"

        # C arrives and sees both.
        in_party(c, server, "carla")
        c.until(lambda: _lists(c, "alice"), "C sees A", timeout_s=SEEN_WITHIN_S)
        c.until(lambda: _lists(c, "bruno"), "C sees B", timeout_s=SEEN_WITHIN_S)
        a.until(lambda: _lists(a, "carla"), "A sees C", timeout_s=SEEN_WITHIN_S)

        # C opens A's card: handle, badges, chat, invite, report (MOD-5) and block.
        c.page.locator(_rail_member("alice")).get_by_role("button").click()
        card = c.page.locator("dialog.sheet[open] .profile")
        card.wait_for(timeout=UI_TIMEOUT_MS)
        assert card.get_by_role("heading", name="alice").is_visible()
        assert card.get_by_role("button", name="Report").is_enabled()
        assert card.get_by_role("button", name="Chat", exact=True).is_enabled()
        assert card.get_by_role("button", name="Invite to call").is_enabled()
        audit_screen(c, "desktop-profile-card")
        card.get_by_role("button", name="Block alice").click()
        assert card.get_by_text("Block alice?").is_visible()  # confirmed first
        audit_screen(c, "desktop-profile-block-confirm")
        card.get_by_role("button", name="Block", exact=True).click()
        c.page.locator("dialog.sheet[open]").wait_for(state="detached", timeout=UI_TIMEOUT_MS)
        c.until(lambda: not _lists(c, "alice"), "A leaves C's list", timeout_s=SEEN_WITHIN_S)
        a.until(lambda: not _lists(a, "carla"), "C leaves A's list", timeout_s=SEEN_WITHIN_S)
        assert c.page.get_by_text("You blocked alice").is_visible()
        assert c.page.evaluate(ON_TOP, ".toast")  # above the player, not under its veil
        audit_screen(c, "desktop-presence-blocked")
        # B, who blocked no one, still sees both.
        assert _lists(b, "alice")
        b.until(lambda: _lists(b, "carla"), "B sees C", timeout_s=SEEN_WITHIN_S)
        assert _lists(c, "bruno")
        assert _lists(a, "bruno")

        # B closes the page (no leave is sent): gone within the TTL, plus a sweep and a tick.
        b_errors = _errors(b)
        contexts.remove(b.page.context)
        b.page.context.close()
        closed = time.monotonic()
        deadline_s = PRESENCE["removal_deadline_s"] + 1.0
        a.until(lambda: not _lists(a, "bruno"), "B leaves A's list", timeout_s=deadline_s)
        c.until(lambda: not _lists(c, "bruno"), "B leaves C's list", timeout_s=deadline_s)
        gone_after_s = time.monotonic() - closed
        assert gone_after_s >= GHOST_TTL_S - 1  # the TTL did it, not a leave
        # A is alone again (C blocked A): the empty state, with the camera off this time.
        a.until(lambda: a.page.get_by_text("No one else is here yet").is_visible(), "A alone")
        assert a.page.get_by_role("button", name="Open your camera in Mirror").is_visible()
        audit_screen(a, "desktop-presence-empty")
        assert b_errors == []
        assert _errors(a) == []
        assert _errors(c) == []
    finally:
        for context in contexts:
            context.close()


@pytest.mark.req("PRS-3", "OPS-4", "OPS-2")
def test_the_discovery_grid_filters_and_lives_in_a_phone_drawer(
    server: ServerProcess, browser: Browser
) -> None:
    """Sniffers: the same Party presence as cards; the filters in the rail (the drawer on a phone)
    drive the grid's query; no match says so and clears in one tap."""
    for handle in ("dora", "enzo"):
        sign_up(server, handle)
    contexts = []
    try:
        context, d = open_tab(browser, viewport=DESKTOP, locale="en-US")
        contexts.append(context)
        context, e = open_tab(
            browser, viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True
        )
        contexts.append(context)
        d.goto(server, "/mirror")
        log_in(d, "dora")
        d.until(lambda: d.attribute(".mirror-view", "data-camera") == "ok", "D's camera")
        d.page.get_by_role("button", name="Open to Party").click()
        d.page.wait_for_url("**/party", timeout=UI_TIMEOUT_MS)

        e.goto(server, "/sniffers")
        log_in(e, "enzo")
        e.until(lambda: e.attribute(".shell", "data-mode") == "sniffers", "E in Sniffers")
        card = e.page.locator('.grid-discovery .member[data-handle="dora"]')
        card.wait_for(timeout=SEEN_WITHIN_S * 1000)
        assert card.get_attribute("data-camera") == "on"
        audit_screen(e, "phone-grid")

        # Dora in Sniffers too sees Enzo's card; then filters Enzo (camera off) out.
        d.page.locator(".topbar").get_by_role("link", name="Sniffers").click()
        d.page.locator('.grid-discovery .member[data-handle="enzo"]').wait_for(
            timeout=SEEN_WITHIN_S * 1000
        )
        _settled(d)
        audit_screen(d, "desktop-grid")
        d.page.get_by_label("Camera on only").check()
        d.until(
            lambda: d.page.get_by_text("No one matches these filters").is_visible(),
            "no camera on but hers",
        )
        audit_screen(d, "desktop-grid-no-match")
        d.page.locator(".grid-discovery").get_by_role("button", name="Clear filters").click()
        d.page.locator('.grid-discovery .member[data-handle="enzo"]').wait_for(
            timeout=SEEN_WITHIN_S * 1000
        )
        assert not d.page.get_by_label("Camera on only").is_checked()

        # On the phone, the filters are in the drawer, reached from the grid.
        e.page.locator(".grid-head").get_by_role("button", name="Filters").click()
        e.until(lambda: e.attribute(".shell", "data-drawer") == "open", "E's drawer opens")
        e.page.wait_for_timeout(400)  # the slide, for the screenshot
        assert e.page.get_by_label("Camera on only").is_visible()
        audit_screen(e, "phone-grid-filters")
        assert _errors(d) == []
        assert _errors(e) == []
    finally:
        for context in contexts:
            context.close()
