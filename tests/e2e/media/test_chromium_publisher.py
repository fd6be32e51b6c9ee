"""MED-3 / INV-3 with a real browser: headless Chromium publishes its fake camera (and mic) to the
LocalSFU; an aiortc subscriber receives the thumb_low rendition; the browser's audio is refused."""

from __future__ import annotations

import shutil

import pytest
import trio

from tests.browser import ARGS
from tests.browser import CHROMIUM
from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import Received
from tests.webrtc_clients import wait_for
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.port import Participant
from vvtv.media.port import SdpOffer

pytestmark = pytest.mark.slow

# 127.0.0.1 is a secure context, so getUserMedia works; the page is served by page.route.
HARNESS_URL = "http://127.0.0.1:9/harness"
HARNESS = "<!doctype html><title>publisher</title>"
STATE = """({
  state: pc.connectionState,
  directions: pc.getTransceivers().map(t => [t.sender.track.kind, t.currentDirection]),
})"""
PUBLISH = """async () => {
  const stream = await navigator.mediaDevices.getUserMedia(
    {video: {width: 640, height: 360}, audio: true});
  const pc = new RTCPeerConnection({iceServers: []});
  window.pc = pc;
  for (const track of stream.getTracks()) pc.addTransceiver(track, {direction: 'sendonly'});
  await pc.setLocalDescription(await pc.createOffer());
  // The SFU (aiortc) does not trickle ICE: send the offer once gathering is complete.
  await new Promise(done => {
    if (pc.iceGatheringState === 'complete') return done();
    pc.addEventListener('icegatheringstatechange',
      () => pc.iceGatheringState === 'complete' && done());
  });
  return pc.localDescription.sdp;
}"""


def run_browser(sfu: LocalSFU, watch: object) -> dict[str, object]:
    """Runs on ONE worker thread: Playwright's sync API must stay on the thread that started it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.route(
                HARNESS_URL, lambda route: route.fulfill(body=HARNESS, content_type="text/html")
            )
            page.goto(HARNESS_URL)
            offer = page.evaluate(PUBLISH)
            answer = trio.from_thread.run(
                sfu.answer,
                SdpOffer(session_id="party", participant_id="browser", role="publish", sdp=offer),
            )
            page.evaluate("sdp => pc.setRemoteDescription({type: 'answer', sdp})", answer.sdp)
            for _ in range(200):  # poll; a Promise in wait_for_function is truthy at once
                if page.evaluate("pc.connectionState") == "connected":
                    break
                page.wait_for_timeout(50)
            trio.from_thread.run(watch)  # the aiortc subscriber's checks, while the page lives
            state: dict[str, object] = page.evaluate(STATE)
            return state
        finally:
            browser.close()


async def test_chromium_fake_camera_reaches_an_aiortc_subscriber(
    sfu: LocalSFU, clients: ClientPeers
) -> None:
    """MED-3 / THB-1 / INV-3: Chromium → LocalSFU → aiortc: frames arrive at ≤ 320x180, the
    subscriber gets no audio track, and the SFU answers the browser's audio as inactive."""
    assert shutil.which("chromium"), "chromium is installed by scripts/test (Debian package)"
    await sfu.create_webrtc_endpoints(
        "party", "thumb_low", (Participant(participant_id="browser", publishes=True),)
    )
    await sfu.create_webrtc_endpoints(
        "tile", "thumb_low", (Participant(participant_id="viewer", subscribes_to=("browser",)),)
    )
    received = Received()

    async def watch() -> None:
        viewer = await clients.subscribe(sfu, "tile", "viewer")
        await wait_for(lambda: len(viewer.received.video) >= 8, within_s=15)
        received.video[:] = viewer.received.video
        received.tracks[:] = viewer.received.tracks

    page_state = await trio.to_thread.run_sync(run_browser, sfu, watch)

    assert page_state["state"] == "connected"
    assert dict(page_state["directions"]) == {"video": "sendonly", "audio": "inactive"}
    assert received.tracks == ["video"]
    assert all(w <= 320 and h <= 180 for _, w, h in received.video)
    assert sfu.statistics().encoders == {"thumb_low": 1}
