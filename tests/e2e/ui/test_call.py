"""Private calls in real browsers (CNS-1..4, UI-3, UI-6, OPS-2): two people, each in a Chromium
context of their own with the fake camera and microphone, against a real `vvtv serve`. An invite
from a profile card reaches the other's every tab with a countdown; accepting takes both into
`/call/:token`, where each sees and hears the OTHER (WebRTC stats on the receiving connection,
through the SFU); hanging up ends it for both. Declining and letting it expire change nothing
else and start no call. Screenshots at 390×844 and 1440×900 go to test-artifacts/ui/."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import PHONE
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import audit_screen
from tests.e2e.ui.tabs import in_party
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import sign_up
from tests.e2e.ui.tabs import under_the_notices
from tests.server_process import CHEAP_HASHING
from tests.server_process import ServerProcess
from tests.server_process import start_server
from tests.server_process import tweaked_config

pytestmark = pytest.mark.slow

# Off the air (--no-channel), the Party stage's player retries a playlist that 404s: expected.
EXPECTED_ERROR = "status of 404"
SEEN_WITHIN_S = 5.0
MEDIA_WITHIN_S = 20.0  # ICE, DTLS and the SFU's first keyframe, on two shared cores
# Every RTCPeerConnection the page makes, kept where the test can read its stats: a test-only
# wrapper injected before the page's own scripts, so the product carries no hook for tests.
RECORD_PEERS = """(() => {
  const Native = window.RTCPeerConnection;
  const made = [];
  window.__testPeers = made;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); made.push(this); }
  };
})();"""
# What the remote <video> shows and what the connection that receives it decoded: the inbound
# RTP stats of exactly the receivers whose tracks the element plays.
REMOTE_MEDIA = """async () => {
  const video = document.querySelector('.call-remote-video');
  const stream = video && video.srcObject;
  if (!stream) return null;
  const ids = new Set(stream.getTracks().map(track => track.id));
  const seen = {width: video.videoWidth, time: video.currentTime, paused: video.paused,
                muted: video.muted, video: null, audio: null};
  for (const pc of window.__testPeers) {
    for (const receiver of pc.getReceivers()) {
      if (!receiver.track || !ids.has(receiver.track.id)) continue;
      (await receiver.getStats()).forEach(stat => {
        if (stat.type !== 'inbound-rtp') return;
        seen[stat.kind] = {frames: stat.framesDecoded ?? 0, energy: stat.totalAudioEnergy ?? 0,
                           level: stat.audioLevel ?? 0, packets: stat.packetsReceived ?? 0};
      });
    }
  }
  return seen;
}"""
CALL_PATH = re.compile(r"/call/([0-9a-f]+)$")


def _server(tmp_path: Path, **limits: str | int) -> ServerProcess:
    return start_server(
        tmp_path, "--no-channel", config=tweaked_config(tmp_path, **CHEAP_HASHING, **limits)
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    started = _server(tmp_path)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def two(browser: Browser) -> Iterator[Callable[..., Tab]]:
    """Opens tabs, each in a context of its own (another person), closed afterwards."""
    contexts: list[BrowserContext] = []

    def opened(**options: Any) -> Tab:
        context, tab = open_tab(browser, locale="en-US", **options)
        context.add_init_script(RECORD_PEERS)
        contexts.append(context)
        return tab

    yield opened
    for context in contexts:
        context.close()


PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


def _errors(tab: Tab) -> list[str]:
    return [error for error in tab.errors if EXPECTED_ERROR not in error]


def _invite_from_card(tab: Tab, handle: str) -> None:
    """Open `handle`'s card from the Party rail and invite them."""
    member = tab.page.locator(f'.presence-rail .member[data-handle="{handle}"]')
    member.wait_for(state="attached", timeout=SEEN_WITHIN_S * 1000)
    member.get_by_role("button").click()
    card = tab.page.locator("dialog.sheet[open] .profile")
    card.wait_for(timeout=UI_TIMEOUT_MS)
    card.get_by_role("button", name="Invite to call").click()
    tab.page.locator(".consent-outgoing").wait_for(timeout=UI_TIMEOUT_MS)


def _incoming(tab: Tab) -> Any:
    return tab.page.locator("dialog.consent-incoming[open]")


def _seconds(tab: Tab) -> int:
    value = tab.attribute("dialog.consent-incoming[open] .consent-countdown", "data-seconds")
    assert value is not None
    return int(value)


def _as(tab: Tab) -> dict[str, str]:
    """Headers to call the API as the person signed in on `tab` (tokens are bound to a device)."""
    token, device = tab.page.evaluate(
        "[JSON.parse(localStorage.getItem('vvtv.session')).access_token,"
        " localStorage.getItem('vvtv.device')]"
    )
    return {"authorization": f"Bearer {token}", "x-device-id": device}


def _invites(server: ServerProcess, tab: Tab) -> list[dict[str, Any]]:
    response = httpx.get(
        server.url + "/consent/invites",
        headers=_as(tab),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    invites: list[dict[str, Any]] = response.json()["invites"]
    return invites


def _remote(tab: Tab) -> dict[str, Any]:
    seen: dict[str, Any] | None = tab.page.evaluate(REMOTE_MEDIA)
    return seen or {}


def _sees_and_hears(tab: Tab, who: str) -> None:
    """The other person's video advances on the element and in the decoder, and their voice
    arrives with energy in it."""
    tab.until(
        lambda: (_remote(tab).get("video") or {}).get("frames", 0) > 0,
        f"{who}'s first frames",
        timeout_s=MEDIA_WITHIN_S,
    )
    first = _remote(tab)
    tab.until(
        lambda: (
            _remote(tab)["video"]["frames"] > first["video"]["frames"] + 10
            and _remote(tab)["time"] > first["time"]
        ),
        f"{who}'s video advancing",
        timeout_s=MEDIA_WITHIN_S,
    )
    try:
        tab.until(
            lambda: (_remote(tab).get("audio") or {}).get("energy", 0) > 0,
            f"{who}'s voice",
            timeout_s=MEDIA_WITHIN_S,
        )
    except AssertionError as error:
        raise AssertionError(f"{error}; last seen: {_remote(tab)}") from None
    seen = _remote(tab)
    assert seen["width"] > 0
    assert not seen["paused"]
    assert not seen["muted"]
    assert seen["audio"]["packets"] > 0


@pytest.mark.req("CNS-1", "CNS-2", "UI-3", "UI-6", "OPS-2")
def test_an_accepted_invite_lets_two_people_see_and_hear_each_other(
    server: ServerProcess, two: Callable[..., Tab]
) -> None:
    """A invites B from B's card in Party; B's overlay names A and counts down; B accepts; both
    land in `/call/:token` and each sees the OTHER's frames advancing and hears their audio
    (inbound-rtp on the receiving connection, the remote <video> playing); B reports A without
    leaving the call; A hangs up and B's screen says A ended the call."""
    sign_up(server, "alice")
    sign_up(server, "bruno")
    a = two(viewport=DESKTOP)
    b = two(**PHONE_OPTIONS)
    in_party(a, server, "alice")
    in_party(b, server, "bruno")

    _invite_from_card(a, "bruno")
    assert a.page.locator(".consent-outgoing").get_by_text("Calling bruno…").is_visible()
    incoming = _incoming(b)
    incoming.wait_for(timeout=SEEN_WITHIN_S * 1000)
    assert incoming.get_by_role("heading", name="alice invites you to a private call").is_visible()
    first = _seconds(b)
    assert 0 < first <= 20  # consent.timeout_s
    b.until(lambda: _seconds(b) < first, "the countdown moves")
    under_the_notices(a, ".consent-overlay")
    under_the_notices(b, ".consent-overlay")
    audit_screen(b, "phone-call-invite-incoming")
    audit_screen(a, "desktop-call-invite-calling")

    incoming.get_by_role("button", name="Accept").click()
    b.page.wait_for_url(CALL_PATH, timeout=UI_TIMEOUT_MS)
    a.page.wait_for_url(CALL_PATH, timeout=UI_TIMEOUT_MS)
    token = CALL_PATH.search(a.page.url)
    assert token is not None
    assert b.page.url.endswith(token.group(0))
    (invite,) = _invites(server, a)
    assert invite["status"] == "accepted"
    assert invite["session_id"]

    a.until(lambda: a.attribute(".call-ui", "data-state") == "connected", "A in the call")
    b.until(lambda: b.attribute(".call-ui", "data-state") == "connected", "B in the call")
    _sees_and_hears(a, "bruno")
    _sees_and_hears(b, "alice")
    # Media on loopback only, like everything of a server under test (`--ice-loopback-only`).
    assert server.udp_addresses() == {"127.0.0.1"}
    assert a.page.get_by_role("status").get_by_text("In a call with bruno").is_visible()
    assert b.page.get_by_role("status").get_by_text("In a call with alice").is_visible()
    audit_screen(a, "desktop-call")
    audit_screen(b, "phone-call")

    # Mute and camera off are toggles that say so.
    mute = a.page.get_by_role("button", name="Mute")
    mute.click()
    assert mute.get_attribute("aria-pressed") == "true"
    assert a.page.evaluate(
        "document.querySelector('.call-local-video').srcObject"
        ".getAudioTracks().every(track => !track.enabled)"
    )
    mute.click()
    assert mute.get_attribute("aria-pressed") == "false"

    # B reports A from the call (MOD-1, MOD-5: with this call's session, Block offered beside).
    b.page.get_by_role("button", name="Report").click()
    sheet = b.page.locator("dialog.sheet[open]")
    sheet.get_by_role("heading", name="Report alice").wait_for(timeout=UI_TIMEOUT_MS)
    sheet.get_by_label("Harassment or bullying").check()
    assert sheet.get_by_label("Block alice too").is_visible()
    audit_screen(b, "phone-call-report")
    sheet.get_by_role("button", name="Send report").click()
    sheet.get_by_text("Thanks. A moderator will look into it.").wait_for(timeout=UI_TIMEOUT_MS)
    sheet.get_by_role("button", name="OK").click()
    sheet.wait_for(state="detached", timeout=UI_TIMEOUT_MS)
    assert b.attribute(".call-ui", "data-state") == "connected"  # reporting is not hanging up

    a.page.get_by_role("button", name="Hang up").click()
    a.until(lambda: a.attribute(".call-ui", "data-ended-by") == "you", "A's call ends")
    assert a.page.get_by_text("You ended the call.").is_visible()
    b.until(lambda: b.attribute(".call-ui", "data-ended-by") == "peer", "B is told")
    assert b.page.get_by_text("alice ended the call.").is_visible()
    audit_screen(b, "phone-call-ended")
    session = httpx.get(
        f"{server.url}/sessions/{invite['session_id']}",
        headers=_as(b),
        timeout=5,
    ).json()
    assert session["state"] in ("ending", "ended")
    assert len(session["participants"]) == 2
    assert _errors(a) == []
    assert _errors(b) == []


@pytest.mark.req("CNS-3", "UI-3", "OPS-5")
def test_a_declined_invite_tells_the_inviter_and_changes_nothing_else(
    server: ServerProcess, two: Callable[..., Tab]
) -> None:
    """B, with two tabs open, is asked on both; declining on one closes both and tells A, both
    stay where they were (Party), no call starts. A asks again: while it waits, A's card for B
    says why it cannot invite twice; A cancels, and B's tabs are told it was withdrawn."""
    sign_up(server, "carla")
    sign_up(server, "dario")
    a = two(viewport=DESKTOP)
    b = two(viewport=DESKTOP)
    in_party(a, server, "carla")
    in_party(b, server, "dario")
    b2 = Tab(b.page.context.new_page())  # dario's second tab: the same sign-in
    b2.page.on("pageerror", lambda error: b2.errors.append(str(error)))
    b2.goto(server, "/party")
    b2.until(lambda: b2.attribute(".shell", "data-socket") == "open", "the second tab's socket")

    _invite_from_card(a, "dario")
    for tab in (b, b2):
        _incoming(tab).wait_for(timeout=SEEN_WITHIN_S * 1000)
    _incoming(b2).get_by_role("button", name="Decline").click()
    for tab in (b, b2):
        _incoming(tab).wait_for(state="detached", timeout=UI_TIMEOUT_MS)

    told = a.page.locator(".consent-ended[data-status=declined]")
    told.wait_for(timeout=SEEN_WITHIN_S * 1000)
    assert told.get_by_text("dario declined your invite.").is_visible()
    audit_screen(a, "desktop-call-invite-declined")
    for tab in (a, b, b2):
        assert tab.page.url.endswith("/party")
        assert tab.attribute(".shell", "data-mode") == "party"
    (invite,) = _invites(server, a)
    assert invite["status"] == "declined"
    assert invite["session_id"] is None
    for tab in (b, b2):
        assert tab.page.locator(".consent-ended").count() == 0  # B declined: nothing to tell B
    told.get_by_role("button", name="OK").click()
    told.wait_for(state="detached", timeout=UI_TIMEOUT_MS)

    # Again; while it waits, a second invite is not on offer, and says why.
    _invite_from_card(a, "dario")
    _incoming(b).wait_for(timeout=SEEN_WITHIN_S * 1000)
    a.page.locator('.presence-rail .member[data-handle="dario"]').get_by_role("button").click()
    card = a.page.locator("dialog.sheet[open] .profile")
    card.wait_for(timeout=UI_TIMEOUT_MS)
    assert card.get_by_role("button", name="Invite to call").is_disabled()
    assert card.get_by_text("You're already calling someone.").is_visible()
    a.page.locator("dialog.sheet[open]").get_by_role("button", name="Close").click()
    card.wait_for(state="detached", timeout=UI_TIMEOUT_MS)
    a.page.locator(".consent-outgoing").get_by_role("button", name="Cancel").click()
    a.page.locator(".consent-outgoing").wait_for(state="detached", timeout=UI_TIMEOUT_MS)
    for tab in (b, b2):
        withdrawn = tab.page.locator(".consent-ended[data-status=cancelled]")
        withdrawn.wait_for(timeout=SEEN_WITHIN_S * 1000)
        assert withdrawn.get_by_text("carla withdrew the invite.").is_visible()
        assert _incoming(tab).count() == 0
    assert [invite["status"] for invite in _invites(server, a)] == ["declined", "cancelled"]
    assert _errors(a) == []
    assert _errors(b) == []
    assert _errors(b2) == []


# Long enough for the paused countdown steps on a busy machine, short enough to wait out.
CONSENT_TIMEOUT_S = 10


@pytest.mark.req("CNS-4", "UI-3", "UI-6")
def test_an_unanswered_invite_counts_down_and_expires_without_a_call(
    tmp_path: Path, two: Callable[..., Tab]
) -> None:
    """With a short consent.timeout_s: B's countdown follows B's clock (Playwright's page clock
    steps it), the server's expiry tells both, no call starts, and the call link then says the
    invite expired, with a way back."""
    # A shadow quarantine's "decline" must come before the (short) expiry: config says so.
    server = _server(
        tmp_path, timeout_s=CONSENT_TIMEOUT_S, shadow_decline_min_s=2, shadow_decline_max_s=5
    )
    try:
        sign_up(server, "erin")
        sign_up(server, "fabio")
        a = two(viewport=DESKTOP)
        b = two(**PHONE_OPTIONS)
        b.page.clock.install()
        in_party(a, server, "erin")
        in_party(b, server, "fabio")

        _invite_from_card(a, "fabio")
        incoming = _incoming(b)
        incoming.wait_for(timeout=SEEN_WITHIN_S * 1000)
        b.page.clock.pause_at(b.page.evaluate("Date.now()") / 1000)  # seconds, in Python
        paused_at = _seconds(b)
        assert 0 < paused_at <= CONSENT_TIMEOUT_S
        b.page.clock.run_for(1000)
        b.until(lambda: _seconds(b) == paused_at - 1, "one second less")
        b.page.clock.run_for(1000)
        b.until(lambda: _seconds(b) == paused_at - 2, "two seconds less")
        assert incoming.get_by_text(f"{paused_at - 2} s left to answer").is_visible()
        b.page.clock.resume()

        started = time.monotonic()
        expired_in = b.page.locator(".consent-ended[data-status=expired]")
        expired_in.wait_for(timeout=(CONSENT_TIMEOUT_S + SEEN_WITHIN_S) * 1000)
        assert expired_in.get_by_text("The invite from erin expired.").is_visible()
        assert _incoming(b).count() == 0
        expired_out = a.page.locator(".consent-ended[data-status=expired]")
        expired_out.wait_for(timeout=SEEN_WITHIN_S * 1000)
        assert expired_out.get_by_text("fabio didn't answer in time.").is_visible()
        assert time.monotonic() - started < CONSENT_TIMEOUT_S + SEEN_WITHIN_S
        (invite,) = _invites(server, a)
        assert invite["status"] == "expired"
        assert invite["session_id"] is None
        for tab in (a, b):
            assert tab.page.url.endswith("/party")
        audit_screen(a, "desktop-call-invite-expired")

        # The invite's link (while the server still keeps the ended invite) says it expired, with
        # a way back.
        b.page.goto(f"{server.url}/call/{invite['id']}")
        gone = b.page.locator(".call-ui[data-state=expired]")
        gone.wait_for(timeout=UI_TIMEOUT_MS)
        assert gone.get_by_text("The invite expired before anyone answered").is_visible()
        audit_screen(b, "phone-call-link-expired")
        gone.get_by_role("link", name="Go to Party").click()
        b.page.wait_for_url("**/party", timeout=UI_TIMEOUT_MS)
        assert _errors(a) == []
        assert _errors(b) == []
    finally:
        server.stop()


@pytest.mark.req("UI-6")
def test_a_call_link_that_leads_nowhere_says_so(
    server: ServerProcess, two: Callable[..., Tab]
) -> None:
    """A made-up token: a clear screen, and the way back to Party."""
    sign_up(server, "gil")
    tab = two(viewport=DESKTOP)
    tab.goto(server, "/call/0123456789abcdef0123456789abcdef")
    log_in(tab, "gil")
    gone = tab.page.locator(".call-ui[data-state=unknown]")
    gone.wait_for(timeout=UI_TIMEOUT_MS)
    assert gone.get_by_role("heading", name="There's no call here").is_visible()
    assert gone.get_by_text("This call link doesn't work").is_visible()
    audit_screen(tab, "desktop-call-link-unknown")
    gone.get_by_role("link", name="Go to Party").click()
    tab.page.wait_for_url("**/party", timeout=UI_TIMEOUT_MS)
    assert _errors(tab) == []
