"""The socket reconnects and refreshes in band, modes hand over as their manifests say, and a ban
signs the viewer out (UI-2, UI-5, MOD-3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import PASSWORD
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import sign_up
from tests.server_process import CHEAP_HASHING
from tests.server_process import create_admin
from tests.server_process import start_server
from tests.server_process import tweaked_config

pytestmark = pytest.mark.slow


@pytest.mark.req("UI-5", "OPS-5")
def test_the_socket_reconnects_and_refreshes_in_band(tmp_path: Path, browser: Browser) -> None:
    """A dropped socket comes back by itself (backoff from config); an expiring token is renewed
    in-band (`auth.refresh` → `auth.refreshed`) while the socket stays open."""
    config = tweaked_config(tmp_path, **CHEAP_HASHING, access_ttl_s=4, token_refresh_lead_s=1)
    server = start_server(tmp_path, "--no-channel", config=config)
    sign_up(server, "socketfan")
    context, tab = open_tab(browser, viewport=DESKTOP, locale="en-US")
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
        log_in(tab, "socketfan")
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
    sign_up(server, "modehopper")
    context, tab = open_tab(browser, viewport=DESKTOP, locale="en-US")
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
        log_in(tab, "modehopper")
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
    user_id = sign_up(server, "troublemaker")
    assert create_admin(config, server.data_dir, "root", PASSWORD).returncode == 0
    admin = httpx.post(
        server.url + "/auth/login", json={"handle": "root", "password": PASSWORD}
    ).json()
    context, tab = open_tab(browser, viewport=DESKTOP, locale="en-US")
    try:
        tab.goto(server, "/party")
        log_in(tab, "troublemaker")
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
