"""Chat in real browsers (CHT-1..4, UI-3, UI-8): two people, each in a Chromium context of their
own, against a real `vvtv serve`. In Party they see each other's room messages as they are sent;
one opens a private chat from the other's card and the other sees it arrive as unread; a burst
past the room's rate limit is held back with a countdown and never reaches the other; a dropped
socket and a reload resume the history without gaps or duplicates. On a phone the chat is a
bottom sheet. Screenshots at 390×844 and 1440×900 go to test-artifacts/ui/."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Locator

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import PASSWORD
from tests.e2e.ui.tabs import PHONE
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import audit_screen
from tests.e2e.ui.tabs import chat_fab
from tests.e2e.ui.tabs import in_party
from tests.e2e.ui.tabs import log_in
from tests.e2e.ui.tabs import open_chat
from tests.e2e.ui.tabs import open_tab
from tests.e2e.ui.tabs import send_chat
from tests.e2e.ui.tabs import sign_up
from tests.server_process import CHEAP_HASHING
from tests.server_process import ServerProcess
from tests.server_process import start_server
from tests.server_process import tweaked_config
from vvtv.config import build_runtime_config
from vvtv.config.schema.limits import ChatScopePolicy

pytestmark = pytest.mark.slow

SEEN_WITHIN_S = 5.0  # "in real time": within a few seconds, without a reload
# Off the air (--no-channel), the Party stage's player retries a playlist that 404s: expected.
EXPECTED_ERROR = "status of 404"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    # Everyone here signed up a minute ago: the new accounts' own chat rate (MOD-6, tested in
    # tests/service/identity/test_quarantine_limits.py) is opened up so the room's rate is the
    # one this journey meets.
    return tweaked_config(tmp_path, **CHEAP_HASHING, chat="{max_messages: 1000, window_s: 30}")


@pytest.fixture
def server(tmp_path: Path, config: Path) -> Iterator[ServerProcess]:
    started = start_server(tmp_path, "--no-channel", config=config)
    try:
        yield started
    finally:
        started.stop()


def _room_rate(config: Path) -> ChatScopePolicy:
    return build_runtime_config(config).limits.chat.scopes.room


def _errors(tab: Tab) -> list[str]:
    return [error for error in tab.errors if EXPECTED_ERROR not in error]


def _bodies(panel: Locator) -> list[str]:
    return panel.locator(
        ".chat-messages .chat-message:not([data-state]) .chat-body"
    ).all_inner_texts()


def _seqs(panel: Locator) -> list[int]:
    items = panel.locator(".chat-messages .chat-message[data-seq]")
    return [int(seq or 0) for seq in items.evaluate_all("els => els.map(e => e.dataset.seq)")]


def _shows(panel: Locator, text: str) -> bool:
    return text in _bodies(panel)


def _tab(panel: Locator, kind: str, peer: str | None = None) -> Locator:
    selector = f'.chat-tab[data-kind="{kind}"]'
    if peer is not None:
        selector += f'[data-peer="{peer}"]'
    return panel.locator(selector)


def _reports(server: ServerProcess) -> list[sqlite3.Row]:
    """What moderators were given (MOD-1), read from the server's database."""
    path = server.data_dir / "vvtv.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM reports").fetchall()


def _block(server: ServerProcess, handle: str, user_id: str) -> None:
    tokens = httpx.post(
        server.url + "/auth/login", json={"handle": handle, "password": PASSWORD}
    ).json()
    response = httpx.post(
        server.url + f"/blocks/{user_id}",
        json={},
        headers={"authorization": f"Bearer {tokens['access_token']}"},
    )
    assert response.status_code == 201, response.text


def _relay(tab: Tab) -> dict[str, Any]:
    """Route the tab's socket through a relay the test can cut (the server side going away) and
    keep cut (`hold`: new connections are turned away) for as long as it likes."""
    relay: dict[str, Any] = {"connections": [], "hold": False}

    def route(ws: Any) -> None:
        if relay["hold"]:
            ws.close(code=1013, reason="try again later")
            return
        upstream = ws.connect_to_server()
        relay["connections"].append(ws)
        ws.on_message(upstream.send)
        upstream.on_message(ws.send)

    tab.page.route_web_socket("**/ws", route)
    return relay


@pytest.mark.req("CHT-1", "CHT-2", "CHT-3", "CHT-4", "UI-3", "UI-8", "MOD-1")
def test_two_people_chat_in_party_and_in_private(
    server: ServerProcess, config: Path, browser: Browser
) -> None:
    """A (desktop) and B (phone) in Party: each sees the other's room messages in real time; A
    opens a private chat from B's card and B sees it arrive as unread; A's burst past the room's
    rate limit is held back with a countdown and the held message never reaches B; B's dropped
    socket and reload resume both conversations without gaps or duplicates."""
    ids = {handle: sign_up(server, handle) for handle in ("alice", "bruno")}
    rate = _room_rate(config)
    contexts = []
    try:
        context, a = open_tab(browser, viewport=DESKTOP, locale="en-US")
        contexts.append(context)
        phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
        context, b = open_tab(browser, locale="en-US", **phone)
        contexts.append(context)
        relay = _relay(b)
        in_party(a, server, "alice")
        in_party(b, server, "bruno")

        # The room: A writes, B sees it arrive as unread on the collapsed button, then in the sheet.
        room_a = open_chat(a)
        assert room_a.get_by_text("No messages yet").is_visible()
        composer = room_a.locator(".chat-input")
        assert composer.get_attribute("maxlength") == str(rate.max_chars)  # config's cap
        # Empty or blank is refused where it is typed, and nothing is sent.
        send_chat(room_a, "   ")
        assert room_a.get_by_role("alert").filter(has_text="Write something first").is_visible()
        send_chat(room_a, "hello party")
        a.until(lambda: _shows(room_a, "hello party"), "A's own message, confirmed")
        b.until(lambda: chat_fab(b).get_attribute("data-unread") == "1", "B's unread count")
        room_b = open_chat(b)
        b.until(lambda: _shows(room_b, "hello party"), "B sees A's message")
        assert chat_fab(b).count() == 0
        # On a phone the chat is a bottom sheet: full width, resting on the bottom edge.
        sheet = room_b.bounding_box()
        assert sheet is not None
        assert sheet["width"] == PHONE["width"]
        assert abs(sheet["y"] + sheet["height"] - PHONE["height"]) <= 1
        audit_screen(b, "phone-chat-sheet")
        send_chat(room_b, "hi alice")
        a.until(lambda: _shows(room_a, "hi alice"), "A sees B's reply", timeout_s=SEEN_WITHIN_S)
        assert room_a.locator(".chat-message[data-mine=false] .chat-author").last.inner_text() == (
            "bruno"
        )
        audit_screen(a, "desktop-chat-room")

        # Private: A opens B's card and chooses Chat; B, with the sheet closed, sees it unread.
        b.page.get_by_role("button", name="Hide chat").click()
        a.page.locator('.presence-rail .member[data-handle="bruno"]').get_by_role("button").click()
        card = a.page.locator("dialog.sheet[open] .profile")
        card.get_by_role("button", name="Chat", exact=True).click()
        card.wait_for(state="detached", timeout=UI_TIMEOUT_MS)
        private_a = _tab(room_a, "private", "bruno")
        a.until(lambda: private_a.get_attribute("aria-pressed") == "true", "A's private tab shown")
        assert room_a.get_by_text("start of your conversation with bruno").is_visible()
        send_chat(room_a, "psst, bruno")
        a.until(lambda: _shows(room_a, "psst, bruno"), "A's private message, confirmed")
        b.until(lambda: chat_fab(b).get_attribute("data-unread") == "1", "B's private unread")
        room_b = open_chat(b)
        private_b = _tab(room_b, "private", "alice")
        b.until(lambda: private_b.get_attribute("data-unread") == "1", "unread on alice's tab")
        assert "1 unread" in private_b.inner_text()
        private_b.click()
        b.until(lambda: _shows(room_b, "psst, bruno"), "B reads A's private message")
        b.until(lambda: private_b.get_attribute("data-unread") == "0", "read now")
        assert not _shows(room_b, "hello party")  # another conversation
        audit_screen(b, "phone-chat-private")

        # The rate limit (CHT-4): A's burst in the room; what is held back comes back to the
        # composer with a countdown and never reaches B.
        _tab(room_a, "room").click()
        _tab(room_b, "room").click()
        burst = [f"burst {n}" for n in range(rate.max_messages + 1)]
        for text in burst:
            send_chat(room_a, text)
        notice = room_a.locator('.chat-notice[data-kind="rate-limited"]')
        notice.wait_for(timeout=UI_TIMEOUT_MS)
        match = re.fullmatch(r"You're sending too fast — try again in (\d+) s", notice.inner_text())
        assert match is not None, notice.inner_text()
        assert 1 <= int(match.group(1)) <= rate.window_s
        assert room_a.get_by_role("button", name="Send").is_disabled()
        audit_screen(a, "desktop-chat-rate-limited")
        delivered = [text for text in burst if _shows(room_a, text)]
        held_back = [text for text in burst if text not in delivered]
        assert held_back, "the burst went past the limit"
        # Given back to send again later (typing that went on meanwhile is kept too).
        assert any(text in composer.input_value() for text in held_back)
        b.until(lambda: all(_shows(room_b, text) for text in delivered), "B gets the burst")
        a.page.wait_for_timeout(1000)  # anything else would have arrived by now
        assert not set(held_back) & set(_bodies(room_b))
        assert not set(held_back) & set(_bodies(room_a))

        # B's socket drops; A writes meanwhile; B's new socket resumes after its last seq.
        before = _seqs(room_b)
        relay["hold"] = True
        relay["connections"][-1].close(code=1012, reason="restarting")
        b.until(lambda: b.attribute(".shell", "data-socket") != "open", "B's socket drops")
        _tab(room_a, "private", "bruno").click()
        send_chat(room_a, "while you were away")
        _tab(room_a, "room").click()
        notice.wait_for(state="detached", timeout=(rate.window_s + 2) * 1000)
        send_chat(room_a, "missed me?")
        a.until(lambda: _shows(room_a, "missed me?"), "A's message, confirmed")
        assert not _shows(room_b, "missed me?")
        relay["hold"] = False
        b.until(lambda: _shows(room_b, "missed me?"), "B resumes", timeout_s=20)
        after = _seqs(room_b)
        assert after == sorted(set(after))  # in order, each once
        assert after[: len(before)] == before
        assert after[-1] == max(_seqs(room_a))

        # Reload: both conversations come back from the server, each message once.
        b.page.reload()
        b.page.wait_for_selector(".shell", timeout=UI_TIMEOUT_MS)
        room_b = open_chat(b)
        b.until(lambda: _seqs(room_b) and _seqs(room_b)[-1] == after[-1], "B's room again")
        assert _bodies(room_b).count("missed me?") == 1
        reloaded = _seqs(room_b)
        assert reloaded == sorted(set(reloaded))
        private_b = _tab(room_b, "private", "alice")
        # The private conversations load beside the room's, a moment later on a busy machine.
        b.until(lambda: private_b.get_attribute("data-unread") == "1", "'while you were away'")
        private_b.click()
        b.until(lambda: _shows(room_b, "while you were away"), "B's private history again")
        assert _bodies(room_b) == ["psst, bruno", "while you were away"]

        # B reports one of A's room messages: a reason, then moderators have it (MOD-1).
        _tab(room_b, "room").click()
        room_b.get_by_text("hello party").wait_for(timeout=UI_TIMEOUT_MS)
        reported = room_b.locator(".chat-message", has_text="hello party")
        reported.get_by_role("button", name="Report this message from alice").click()
        report = b.page.locator("dialog.sheet[open]")
        report.get_by_label("Spam or scam").check()
        audit_screen(b, "phone-chat-report")
        report.get_by_role("button", name="Send report").click()
        report.get_by_role("status").wait_for(timeout=UI_TIMEOUT_MS)
        [row] = _reports(server)
        assert (row["reporter_id"], row["reason_code"], row["mode_id"]) == (
            ids["bruno"],
            "spam",
            "party",
        )
        assert (row["target_id"], row["context"]) == (ids["alice"], "chat")  # MOD-5
        assert len(json.loads(row["message_ids"])) == 1
        report.get_by_role("button", name="OK").click()

        # B blocks A: A's next private message is refused, said plainly, and given back.
        _block(server, "bruno", ids["alice"])
        _tab(room_a, "private", "bruno").click()
        send_chat(room_a, "still there?")
        refused = room_a.locator('.chat-notice[data-kind="refused"]')
        refused.wait_for(timeout=UI_TIMEOUT_MS)
        assert refused.inner_text() == (
            "You can't message this person: one of you has blocked the other."
        )
        a.until(lambda: composer.input_value() == "still there?", "the message given back")
        assert _errors(a) == []
        assert _errors(b) == []
    finally:
        for context in contexts:
            context.close()


@pytest.mark.req("CHT-3", "CHT-4", "UI-3", "UI-8")
def test_a_live_room_chats_in_its_rail(
    server: ServerProcess, config: Path, browser: Browser
) -> None:
    """Live rooms: the chat is the rail (RoomChat), in the live room's own thread with its own
    length cap, each message named by its author's handle; on a phone it is the drawer."""
    for handle in ("carla", "dana"):
        sign_up(server, handle)
    live = build_runtime_config(config).limits.chat.scopes.live_public
    contexts = []
    try:
        context, c = open_tab(browser, viewport=DESKTOP, locale="en-US")
        contexts.append(context)
        context, d = open_tab(
            browser, viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True
        )
        contexts.append(context)
        for tab, handle in ((c, "carla"), (d, "dana")):
            tab.goto(server, "/live")
            log_in(tab, handle)
            tab.page.locator('.shell[data-mode="live_public"]').wait_for(timeout=UI_TIMEOUT_MS)
        rail_c = c.page.locator("#rail .room-chat")
        rail_c.locator('.conversation[data-loaded="true"]').wait_for(timeout=UI_TIMEOUT_MS)
        assert rail_c.locator(".chat-input").get_attribute("maxlength") == str(live.max_chars)
        send_chat(rail_c, "hello live")
        c.until(lambda: _shows(rail_c, "hello live"), "C's message, confirmed")
        audit_screen(c, "desktop-live-chat")

        d.page.get_by_role("button", name="Open side panel").click()
        d.until(lambda: d.attribute(".shell", "data-drawer") == "open", "D's drawer opens")
        rail_d = d.page.locator("#rail .room-chat")
        d.until(lambda: _shows(rail_d, "hello live"), "D sees C's message")
        # No presence in a Live room to name C by: the message names her.
        author = rail_d.locator(".chat-message[data-mine=false] .chat-author").last
        assert author.inner_text() == "carla"
        d.page.wait_for_timeout(400)  # the slide, for the screenshot
        audit_screen(d, "phone-live-chat-drawer")
        send_chat(rail_d, "hi from the phone")
        c.until(lambda: _shows(rail_c, "hi from the phone"), "C sees D's reply")
        assert _errors(c) == []
        assert _errors(d) == []
    finally:
        for context in contexts:
            context.close()
