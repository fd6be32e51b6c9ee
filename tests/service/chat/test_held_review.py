"""Moderators decide what chat auto-moderation held (issue 16): approved, a held message reaches
its thread as if it had passed (stored, `chat.message` to the thread's sockets, next in order, by
its author); rejected, it never does and its author's tabs hear `chat.not_posted`. Each decision
is audited in the author's history (TEL-6), made once (409 `already_decided`), and only by
moderators and admins (AUTH-4). The hold rule is the shipped config's `contact_offsite`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from tests.accounts import staff
from tests.service.chat.conftest import chat_events
from tests.service.chat.conftest import open_thread
from tests.service.chat.conftest import post
from tests.service.moderation.conftest import call
from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World

HELD_TEXT = "add me on snapchat"


@dataclass
class Room:
    ana: User
    bob: User
    thread_id: str
    mod: User  # signed in after the accounts were made days old
    ana_tab: Tab
    bob_tab: Tab


async def _room(world: World) -> tuple[User, User, str]:
    people = await world.users(old=("ana", "bob"))
    ana, bob = people["ana"], people["bob"]
    _, thread = await open_thread(world, ana, scope="room", room="party")
    await open_thread(world, bob, scope="room", room="party")
    return ana, bob, str(thread["thread_id"])


@asynccontextmanager
async def _held_in_room(world: World, client_id: str) -> AsyncIterator[Room]:
    """Ana and Bob following Party's room on a tab each; Ana's `HELD_TEXT` (sent with
    `client_id`) held, and her tab told so."""
    ana, bob, tid = await _room(world)
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab:
        for tab in (ana_tab, bob_tab):
            await tab.send("chat.subscribe", thread_id=tid, after_seq=0)
        await ana_tab.send("chat.send", thread_id=tid, body=HELD_TEXT, client_id=client_id)
        (refused,) = await ana_tab.settle()
        assert (refused["code"], refused["ref"]) == ("message_held", client_id)
        yield Room(ana, bob, tid, await world.moderator(), ana_tab, bob_tab)


async def _held_id(world: World, mod: User) -> int:
    status, page = await call(world, mod, "GET", "/mod/held")
    assert status == 200, page
    (held,) = page["messages"]
    held_id: int = held["id"]
    return held_id


async def _decide(
    world: World, who: User | None, held_id: int, action: str, **extra: Any
) -> tuple[int, dict[str, Any]]:
    body = {"action": action, **extra}
    return await call(world, who, "POST", f"/mod/held/{held_id}/decision", body)


async def _history(world: World, mod: User, user: User) -> list[tuple[str, str | None, str]]:
    status, history = await call(world, mod, "GET", f"/admin/users/{user.id}/history")
    assert status == 200, history
    return [(e["action"], e["actor_id"], e["reason"]) for e in history["entries"]]


@pytest.mark.req("CHT-2", "TEL-6")
async def test_an_approved_held_message_reaches_the_thread_as_if_it_had_passed(
    world: World,
) -> None:
    async with _held_in_room(world, "c-held") as room:
        ana, bob, tid, mod = room.ana, room.bob, room.thread_id, room.mod
        assert (await post(world, bob, tid, "first"))[0] == 200
        held_id = await _held_id(world, mod)
        status, decided = await _decide(world, mod, held_id, "approve")
        assert status == 200, decided
        assert (decided["status"], decided["decided_by"]) == ("approved", mod.id)
        assert (decided["author_handle"], decided["body"]) == ("ana", HELD_TEXT)
        for tab in (room.ana_tab, room.bob_tab):
            delivered = [e for e in await chat_events(tab) if e["body"] == HELD_TEXT]
            assert len(delivered) == 1
            (message,) = delivered
            assert (message["type"], message["seq"]) == ("chat.message", 2)
            assert (message["author_id"], message["author_handle"]) == (ana.id, "ana")
            assert message["message_id"] == decided["message_id"]
            assert message["client_id"] == "c-held"  # the author's tab knows it as its own
    # Stored as any message: the thread's history has it, after what was sent before.
    _, page = await world.get(bob, f"/chat/{tid}/messages")
    assert [(m["seq"], m["body"], m["author_id"]) for m in page["messages"]] == [
        (1, "first", bob.id),
        (2, HELD_TEXT, ana.id),
    ]
    # No longer waiting; listed among the approved.
    assert (await call(world, mod, "GET", "/mod/held"))[1]["messages"] == []
    _, approved = await call(world, mod, "GET", "/mod/held", status="approved")
    assert [m["id"] for m in approved["messages"]] == [held_id]
    # Once: the second decision, either way, is refused with a code.
    for action in ("approve", "reject"):
        status, again = await _decide(world, mod, held_id, action)
        assert (status, again["code"]) == (409, "already_decided")
    _, page = await world.get(bob, f"/chat/{tid}/messages")
    assert len(page["messages"]) == 2  # not delivered twice
    # In the author's history, beside the hold, by the moderator (TEL-6).
    history = await _history(world, mod, ana)
    assert history[:2] == [
        ("chat.held_approved", mod.id, "contact_offsite"),
        ("chat.held", None, "contact_offsite"),
    ]
    # Both name the held message alike: by its id, as the routes do.
    _, entries = await call(world, mod, "GET", f"/admin/users/{ana.id}/history")
    assert [e["detail"]["held_id"] for e in entries["entries"][:2]] == [held_id, held_id]


@pytest.mark.req("TEL-6")
async def test_a_rejected_held_message_is_never_delivered_and_its_author_is_told(
    world: World,
) -> None:
    async with _held_in_room(world, "c-no") as room:
        ana, bob, tid, mod = room.ana, room.bob, room.thread_id, room.mod
        held_id = await _held_id(world, mod)
        reason = "off-platform contact is not allowed here"
        status, decided = await _decide(world, mod, held_id, "reject", reason=reason)
        assert (status, decided["status"], decided["message_id"]) == (200, "rejected", None)
        (told,) = await room.ana_tab.settle()
        assert told == {
            "type": "chat.not_posted", "v": 1, "thread_id": tid, "held_id": held_id,
            "client_id": "c-no",
        }  # fmt: skip
        assert await room.bob_tab.settle() == []
    _, page = await world.get(bob, f"/chat/{tid}/messages")
    assert page["messages"] == []
    status, again = await _decide(world, mod, held_id, "approve")
    assert (status, again["code"]) == (409, "already_decided")
    _, page = await world.get(bob, f"/chat/{tid}/messages")
    assert page["messages"] == []
    assert (await _history(world, mod, ana))[0] == ("chat.held_rejected", mod.id, reason)


@pytest.mark.req("AUTH-4", "TEL-6")
async def test_only_moderators_and_admins_decide_held_messages(world: World) -> None:
    ana, bob, tid = await _room(world)
    mod = await world.moderator()
    tokens = await staff(world.services, world.client, "root", "admin")
    admin = User("root", tokens["user"]["id"], tokens)
    assert (await post(world, ana, tid, HELD_TEXT))[1]["code"] == "message_held"
    held_id = await _held_id(world, mod)
    assert (await _decide(world, None, held_id, "approve"))[0] == 401
    for user in (ana, bob):  # its author, and someone in the thread alike
        status, refused = await _decide(world, user, held_id, "approve")
        assert (status, refused["code"]) == (403, "forbidden")
        assert (await call(world, user, "GET", "/mod/held"))[0] == 403
    status, refused = await _decide(world, mod, 999999, "approve")
    assert (status, refused["code"]) == (404, "held_not_found")
    status, refused = await _decide(world, mod, held_id, "publish")
    assert status == 400, refused
    status, decided = await _decide(world, admin, held_id, "approve")
    assert (status, decided["decided_by"]) == (200, admin.id)
    _, page = await world.get(bob, f"/chat/{tid}/messages")
    assert [m["body"] for m in page["messages"]] == [HELD_TEXT]


@pytest.mark.req("MOD-2", "TEL-6")
async def test_a_block_made_since_keeps_a_held_private_message_from_being_approved(
    world: World,
) -> None:
    people = await world.users(old=("ana", "bob"))
    ana, bob = people["ana"], people["bob"]
    mod = await world.moderator()
    _, thread = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    assert (await post(world, ana, tid, HELD_TEXT))[1]["code"] == "message_held"
    held_id = await _held_id(world, mod)
    response = await world.client.post(f"/blocks/{ana.id}", json={}, headers=bob.headers)
    assert response.status_code in (200, 201), await response.get_json()
    status, refused = await _decide(world, mod, held_id, "approve")
    assert (status, refused["code"]) == (403, "blocked")
    # Still held: a moderator may reject it instead.
    assert (await _decide(world, mod, held_id, "reject"))[0] == 200
    _, page = await world.get(ana, f"/chat/{tid}/messages")
    assert page["messages"] == []
