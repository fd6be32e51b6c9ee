"""MOD-4: a shadow quarantine limits its subject exactly as it is never told. The same script is
played by a shadow-quarantined user and by an ordinary one, each in a product of their own:
every HTTP answer and every socket event they get is the same once ids and times are named
alike, while the peer hears nothing from the shadowed one (no private or room message, no
invite: it ended as declined all the same)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import trio.testing

from tests.service.aged_accounts import aged
from tests.service.chat.conftest import open_thread
from tests.service.chat.conftest import open_world
from tests.service.chat.conftest import post
from tests.service.presence.conftest import World
from vvtv.config import ConfigBundle

pytestmark = pytest.mark.req("MOD-4")

_HEX_ID = re.compile(r"^[0-9a-f]{32}$")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT")


def _alike(value: Any, names: dict[str, str]) -> Any:
    """`value` with the accounts' ids and handles named by role, other ids and times blanked."""
    if isinstance(value, dict):
        return {k: _alike(v, names) for k, v in value.items() if k != "trace_id"}
    if isinstance(value, list):
        items = [_alike(v, names) for v in value]
        # A set on the wire (a pair's participants) is sorted by ids, which differ per product.
        return sorted(items) if all(isinstance(i, str) for i in items) else items
    if isinstance(value, str):
        if value in names:
            return names[value]
        if _HEX_ID.match(value):
            return "<id>"
        if _TIME.match(value):
            return "<time>"
    return value


async def _play(
    world: World, shadowed: bool, mock_clock: trio.testing.MockClock
) -> tuple[list[Any], list[dict[str, Any]]]:
    """The script, as its subject sees it; and what the peer's tab got meanwhile."""
    people = await aged(world, subject=30, peer=30)
    me, peer = people["subject"], people["peer"]
    if shadowed:
        mod = await world.moderator()
        response = await world.client.post(
            f"/admin/users/{me.id}/quarantine", json={"reason": "investigating"},
            headers=mod.headers,
        )  # fmt: skip
        assert response.status_code == 200
    names = {me.id: "<me>", peer.id: "<peer>", "subject": "<me-handle>", "peer": "<peer-handle>"}
    seen: list[Any] = []

    async def answer(response: Any) -> dict[str, Any]:
        body: dict[str, Any] = await response.get_json()
        seen.append((response.status_code, _alike(body, names)))
        return body

    _, room = await open_thread(world, peer, scope="room", room="party")
    async with world.tab(me) as mine, world.tab(peer) as theirs:
        await theirs.send("chat.subscribe", thread_id=room["thread_id"])
        await answer(await world.client.get("/me", headers=me.headers))
        private = await answer(
            await world.client.post(
                "/chat/thread", json={"scope": "private_1to1", "peer_user_id": peer.id},
                headers=me.headers,
            )
        )  # fmt: skip
        status, body = await post(world, me, private["thread_id"], "hi, it's me")
        seen.append((status, _alike(body, names)))
        await answer(
            await world.client.post(
                "/chat/thread", json={"scope": "room", "room": "party"}, headers=me.headers
            )
        )
        status, body = await post(world, me, room["thread_id"], "hello room")
        seen.append((status, _alike(body, names)))
        await mine.send("chat.send", thread_id=room["thread_id"], body="hello again")
        told = await mine.settle()  # handled before the clock moves on
        invite = await answer(
            await world.client.post(
                "/consent/invites", json={"invitee_id": peer.id}, headers=me.headers
            )
        )
        quarantine = world.config.limits.anti_abuse.quarantine
        if not shadowed:  # the peer says no in its own time, within the shadow's draw
            await world.advance(mock_clock, quarantine.shadow_decline_min_s)
            response = await world.client.post(
                f"/consent/invites/{invite['id']}/decline", json={}, headers=peer.headers
            )
            assert response.status_code == 200
        await world.advance(mock_clock, quarantine.shadow_decline_max_s + 1)
        await answer(await world.client.get("/consent/invites", headers=me.headers))
        await answer(
            await world.client.get(f"/chat/{room['thread_id']}/messages", headers=me.headers)
        )
        await answer(
            await world.client.get(f"/chat/{private['thread_id']}/messages", headers=me.headers)
        )
        told += await mine.settle()
        seen.append([_alike(e, names) for e in told])
        heard = [e for e in await theirs.settle() if e["type"].startswith(("chat.", "consent."))]
    return seen, heard


async def test_a_shadow_quarantine_is_invisible_to_its_subject(
    cheap_config: ConfigBundle, tmp_path: Path, mock_clock: trio.testing.MockClock
) -> None:
    async with open_world(cheap_config, tmp_path / "ordinary") as world:
        ordinary, peer_heard_ordinary = await _play(world, False, mock_clock)
    async with open_world(cheap_config, tmp_path / "shadowed") as world:
        shadowed, peer_heard_shadowed = await _play(world, True, mock_clock)
    assert shadowed == ordinary
    # The script did reach an ordinary user's peer ...
    assert [e["type"] for e in peer_heard_ordinary] == [
        "chat.message", "chat.message", "chat.message", "consent.request",
        "consent.declined",  # its own answer, told to its tabs
    ]  # fmt: skip
    # ... and nothing of it the shadowed one's (their own tabs were told all the same).
    assert peer_heard_shadowed == []
