"""Live tiles in a real browser (THB-1..5, INV-4, UI-3 VideoTile) against a real `vvtv serve`: alice
opens her camera to Party from Mirror (Chromium's fake camera); bruno, on a desktop, sees her tile
play live video in the rail and in the Sniffers grid (its frames advance), her camera forwarded by
the SFU as it came (it fits thumb_low: no re-encoding); with twelve more members
publishing (aiortc clients over the product's own routes) the 13th tile on his desktop shows the
"budget" state; a tile scrolled out of view lets go of its slot within 2 s + 1 s, timed on the
page's own clock (the 2 s delay itself is proven on trio's MockClock in
tests/service/tiles/test_budget_and_viewport.py). Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiortc import MediaStreamTrack
from aiortc import RTCConfiguration
from aiortc import RTCPeerConnection
from aiortc import RTCSessionDescription
from playwright.sync_api import Browser
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import PASSWORD
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import sign_up
from tests.server_process import CHEAP_HASHING
from tests.server_process import ServerProcess
from tests.server_process import start_server
from tests.server_process import tweaked_config
from tests.synthetic_media import PreEncodedVideoTrack
from vvtv.media.local_sfu.bridge import AsyncioThread
from vvtv.media.local_sfu.ice import allow_loopback_candidates

pytestmark = pytest.mark.slow

OUT_OF_VIEW_S = 2.0  # config's viewport.out_of_view_disconnect_s

EXPECTED_ERROR = "status of 404"  # off the air (--no-channel), Party's player retries a 404
SESSION = {"audience_type": "group", "stream_transport": "webrtc", "intent_label": "party_tiles"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    started = start_server(
        tmp_path, "--no-channel", config=tweaked_config(tmp_path, **CHEAP_HASHING)
    )
    try:
        yield started
    finally:
        started.stop()


@dataclass
class Members:
    """Members who publish their camera from aiortc clients, as a browser would: a Party session,
    its publish offer, presence with the camera on, and the heartbeats that keep both."""

    server: ServerProcess
    thread: AsyncioThread = field(default_factory=lambda: AsyncioThread("tile-publishers"))
    alive: list[tuple[dict[str, str], str]] = field(default_factory=list)
    peers: list[RTCPeerConnection] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.thread.loop).result(30)

    def publish(self, handle: str, camera: Callable[[], MediaStreamTrack] | None = None) -> None:
        """`handle` signs up and publishes `camera` (a busy test pattern unless told)."""
        sign_up(self.server, handle)
        login = httpx.post(
            self.server.url + "/auth/login", json={"handle": handle, "password": PASSWORD}
        )
        headers = {"authorization": f"Bearer {login.json()['access_token']}"}
        session = httpx.post(
            self.server.url + "/sessions", json={"mode": "party", **SESSION}, headers=headers
        ).json()

        async def offer() -> tuple[RTCPeerConnection, str]:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            pc.addTrack(camera() if camera else PreEncodedVideoTrack(320, 180, 8, noisy=True))
            await pc.setLocalDescription(await pc.createOffer())
            return pc, pc.localDescription.sdp

        pc, sdp = self.run(offer())
        self.peers.append(pc)
        answer = httpx.post(
            f"{self.server.url}/sessions/{session['id']}/offer",
            json={"role": "publish", "sdp": sdp},
            headers=headers,
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        self.run(pc.setRemoteDescription(RTCSessionDescription(answer.json()["sdp"], "answer")))
        fields = {"presence_mode": "party", "is_camera_on": True}
        assert httpx.post(
            self.server.url + "/presence/set", json=fields, headers=headers
        ).is_success
        self.alive.append((headers, session["id"]))

    def keep_alive(self) -> None:
        while not self.stop.wait(3.0):
            for headers, session_id in list(self.alive):
                if self.stop.is_set():
                    return
                httpx.post(self.server.url + "/presence/heartbeat", json={}, headers=headers)
                httpx.post(
                    f"{self.server.url}/sessions/{session_id}/heartbeat", json={}, headers=headers
                )


@pytest.fixture
def members(server: ServerProcess) -> Iterator[Members]:
    allow_loopback_candidates()  # the server under test offers loopback only
    opened = Members(server)
    opened.thread.start()
    beating = threading.Thread(target=opened.keep_alive, daemon=True)
    beating.start()
    try:
        yield opened
    finally:
        opened.stop.set()
        beating.join()

        async def close() -> None:
            for pc in opened.peers:
                await pc.close()

        opened.run(close())
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0), opened.thread.loop).result(5)
        opened.thread.loop.call_soon_threadsafe(opened.thread.loop.stop)


FRAMES = "video => video.getVideoPlaybackQuality().totalVideoFrames"
# Scroll the members' scrolling container to its end; the handles of those now outside it.
# Scrolls the grid to its end and returns the members that left the view; the page notes, on its
# own clock, when it scrolled and when each tile turned "off" (the test's polling adds nothing).
SCROLL_TO_END = """selector => {
  const members = [...document.querySelectorAll(selector)];
  window.offAt = {};
  const noted = new MutationObserver(changes => changes.forEach(change => {
    if (change.target.dataset.state === "off") {
      window.offAt[change.target.closest(".member").dataset.handle] = performance.now();
    }
  }));
  const state = {attributeFilter: ["data-state"]};
  members.forEach(m => noted.observe(m.querySelector(".video-tile"), state));
  let box = members[0].parentElement;
  const scrolls = b =>
    b.scrollHeight > b.clientHeight && getComputedStyle(b).overflowY !== "visible";
  while (box && !scrolls(box)) box = box.parentElement;
  box = box || document.scrollingElement;
  window.scrolledAt = performance.now();
  box.scrollTop = box.scrollHeight;
  const frame = box.getBoundingClientRect();
  const top = Math.max(frame.top, 0), bottom = Math.min(frame.bottom, window.innerHeight);
  return members.filter(m => {
    const r = m.getBoundingClientRect();
    return r.bottom <= top || r.top >= bottom;
  }).map(m => m.dataset.handle);
}"""


def _tile(area: str, handle: str) -> str:
    return f'{area} .member[data-handle="{handle}"] .video-tile'


def _plays(tab: Tab, tile: str) -> bool:
    """The tile shows live video whose decoded frames keep coming."""
    if tab.page.locator(f'{tile}[data-state="live"] video').count() != 1:
        return False
    video = tab.page.locator(f"{tile} video")
    before = video.evaluate(FRAMES)
    tab.page.wait_for_timeout(1000)
    return bool(video.evaluate(FRAMES) > before + 2)


def _sfu_totals(server: ServerProcess) -> dict[str, float]:
    """The SFU's frame counters, as /metrics shows them."""
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(server.get("/metrics").text):
        if family.name in ("vvtv_sfu_frames_forwarded", "vvtv_sfu_frames_encoded"):
            totals[family.name.removeprefix("vvtv_sfu_")] = family.samples[0].value
    return totals


def _released_out_of_view(server: ServerProcess) -> float:
    for family in text_string_to_metric_families(server.get("/metrics").text):
        if family.name == "vvtv_tiles_releases":
            return sum(
                s.value
                for s in family.samples
                if s.labels.get("reason") == "out_of_view" and s.name.endswith("_total")
            )
    return 0.0


def _states(tab: Tab, area: str) -> dict[str, str]:
    return tab.page.eval_on_selector_all(
        f"{area} .member",
        "members => Object.fromEntries(members.map(m => ["
        " m.dataset.handle, m.querySelector('.video-tile').dataset.state]))",
    )


@pytest.mark.req("THB-1", "THB-2", "THB-5", "INV-4", "UI-3")
def test_live_tiles_play_a_budget_is_kept_and_tiles_out_of_view_let_go(
    server: ServerProcess, members: Members, browser: Browser
) -> None:
    sign_up(server, "alice")
    sign_up(server, "bruno")
    contexts = []
    try:
        context, a = open_tab(browser, viewport=DESKTOP, locale="en-US")
        contexts.append(context)
        context, b = open_tab(browser, viewport=DESKTOP, locale="en-US")
        contexts.append(context)

        # alice: Mirror, then "Open to Party": her camera on, published once for her tiles.
        a.goto(server, "/mirror")
        log_in(a, "alice")
        a.until(lambda: a.attribute(".mirror-view", "data-camera") == "ok", "alice's camera")
        a.page.get_by_role("button", name="Open to Party").click()
        a.page.wait_for_url("**/party", timeout=UI_TIMEOUT_MS)

        # bruno, in Party: alice's tile in the rail plays her camera, live.
        b.goto(server, "/party")
        log_in(b, "bruno")
        rail_alice = _tile(".presence-rail", "alice")
        b.until(lambda: _plays(b, rail_alice), "alice's tile plays in bruno's rail", 30)
        b.shot("tiles-rail-desktop")
        # Her camera is what a tile is (320x180 at 8 fps, told b=AS:180 in the answer): the SFU
        # forwards her frames as they came, and its encoder stays idle.
        first = _sfu_totals(server)
        b.until(
            lambda: _sfu_totals(server)["frames_forwarded"] >= first["frames_forwarded"] + 16,
            "two seconds of alice's camera forwarded as it came",
        )
        assert _sfu_totals(server)["frames_encoded"] == first["frames_encoded"]

        # Twelve more members publish: thirteen cameras in bruno's Sniffers grid, all in view.
        for n in range(12):
            members.publish(f"member{n:02}")
        b.page.goto(server.url + "/sniffers")
        grid = ".grid-discovery"
        b.until(lambda: len(_states(b, grid)) == 13, "thirteen members in the grid")

        def budget_kept() -> bool:
            states = list(_states(b, grid).values())
            return states.count("live") == 12 and states.count("budget") == 1

        b.until(budget_kept, "twelve live tiles and the 13th in the budget state", 30)
        budget = b.page.locator(f'{grid} .video-tile[data-state="budget"]')
        assert budget.get_by_text("Tile limit").is_visible()
        first_live = b.page.locator(f'{grid} .video-tile[data-state="live"]').first
        handle = first_live.evaluate("tile => tile.closest('.member').dataset.handle")
        # Thirteen cameras decoded at once: a busy machine takes a while to get this one going.
        plays = f"{handle}'s tile plays in the grid"
        b.until(lambda: _plays(b, _tile(grid, handle)), plays, 30)
        b.shot("tiles-grid-budget-desktop")

        # A smaller window: the grid scrolls, and the tiles scrolled out of view let go.
        released_before = _released_out_of_view(server)  # the resize alone may hide some
        b.page.set_viewport_size({"width": 900, "height": 420})
        b.page.wait_for_timeout(500)
        in_view = _states(b, grid)
        hidden = b.page.evaluate(SCROLL_TO_END, f"{grid} .member")
        assert hidden, "nothing left the view: the grid did not scroll"

        def let_go() -> bool:
            states = _states(b, grid)
            return all(states[handle] == "off" for handle in hidden)

        b.until(let_go, "the tiles out of view let go of their slots")
        # Within 2 s + 1 s of leaving the view, on the page's clock (THB-2).
        noted = b.page.evaluate("() => [window.scrolledAt, window.offAt]")
        let_go_s = [(off - noted[0]) / 1000 for handle, off in noted[1].items() if handle in hidden]
        print(f"tiles out of view let go after {max(let_go_s):.2f} s (of {len(let_go_s)} tiles)")
        assert max(let_go_s) <= OUT_OF_VIEW_S + 1.0
        # The server released them as out of view: not as a closed session or a left publisher.
        live_hidden = sum(in_view[handle] == "live" for handle in hidden)
        assert _released_out_of_view(server) - released_before >= live_hidden
        assert any(in_view[handle] == "live" for handle in hidden)
        assert not [e for e in b.errors if EXPECTED_ERROR not in e]
    finally:
        for context in contexts:
            context.close()
