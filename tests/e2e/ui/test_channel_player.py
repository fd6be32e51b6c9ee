"""`/` plays the channel in a real browser, and waits calmly while it is off the air (UI-6)."""

from __future__ import annotations

import pytest

from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import player_time
from tests.server_process import ServerProcess

pytestmark = pytest.mark.slow


@pytest.mark.req("UI-6", "LAB-5", "LAB-6")
def test_root_plays_the_live_channel_with_its_reserve_loop_state(
    channel: ServerProcess, tab: Tab
) -> None:
    """`/`: hls.js plays the channel (time advances, no player error); with an empty catalog the
    reserve loop is on air and the player says so; the call to action offers a login."""
    tab.goto(channel, "/")
    tab.until(lambda: player_time(tab) > 1.0, "the channel plays")
    started = player_time(tab)
    tab.until(lambda: player_time(tab) > started + 2.0, "playback keeps advancing")
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
