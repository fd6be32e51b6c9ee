"""The operator's console, pushed over /ws (TEL-4/5, INV-7, AUTH-4): an admin's socket that sends
`operator.follow` gets `operator.update` at once and after every change (each cost sample, each
move of the kill-switch ladder, with the audit entries new since), without asking again; a
user's or a moderator's socket is refused and never receives one, nor does an admin's socket
once its user is made a user.

The meter samples every second here, so a sample's update comes within the test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trio
from msgspec.structs import replace

from tests.accounts import staff
from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle

pytestmark = pytest.mark.req("TEL-4", "TEL-5", "AUTH-4")
UPDATE = "operator.update"


@pytest.fixture
async def world(cheap_config: ConfigBundle, tmp_path: Path) -> AsyncIterator[World]:
    limits = cheap_config.limits
    cost = replace(limits.cost, sample_interval_s=1, rate_window_s=2)
    config = replace(cheap_config, limits=replace(limits, cost=cost))
    wall = ManualClock(follow_trio=True)
    async with open_runtime(config, tmp_path / "var", clock=wall) as (runtime, services):
        yield World(create_app(runtime, services).test_client(), services, config, wall)


async def staff_user(world: World, handle: str, role: str) -> User:
    tokens = await staff(world.services, world.client, handle, role)
    return User(handle, tokens["user"]["id"], tokens)


async def pin(world: World, admin: User, level: int | None, reason: str) -> None:
    response = await world.client.post(
        "/admin/kill-switch", json={"level": level, "reason": reason}, headers=admin.headers
    )
    assert response.status_code == 200, await response.get_json()


async def next_update(tab: Tab, seconds: float = 5.0) -> dict[str, Any]:
    """The next `operator.update` this socket is pushed (it sends nothing meanwhile)."""
    with trio.fail_after(seconds):
        while (event := await tab.next())["type"] != UPDATE:
            pass
    return event


async def follow(tab: Tab) -> dict[str, Any]:
    await tab.send("operator.follow")
    return await tab.next()


async def test_an_admins_socket_is_pushed_every_change_without_asking(world: World) -> None:
    admin = await staff_user(world, "olga", "admin")
    async with world.tab(admin) as tab:
        first = await follow(tab)
        assert first["type"] == UPDATE
        assert first["ladder"]["level"] == 0
        assert first["live"]["calls"] == 0
        assert [c["name"] for c in first["funnel"]["chains"]]
        assert len(first["samples"]) <= 1
        seen_seq = max((p["seq"] for p in first["samples"]), default=0)
        # The next cost sample is pushed: its point, the report and the counts with it.
        sampled = await next_update(tab)
        assert [p["seq"] for p in sampled["samples"]] == [seen_seq + 1]
        assert sampled["cost"]["at"] == sampled["samples"][-1]["at"]
        # A move of the ladder is pushed with the audit entry that records it, in one update,
        # and that entry never again.
        await pin(world, admin, 2, "drill")
        told = [await next_update(tab)]
        while told[-1]["ladder"]["level"] != 2:  # a sample's update may have been on its way
            told.append(await next_update(tab))
        moved = told[-1]
        assert [(e["action"], e["reason"]) for e in moved["audit"]] == [
            ("kill_switch.step", "drill")
        ]
        told += [await next_update(tab), await next_update(tab)]
        entries = [(e["action"], e["reason"]) for update in told for e in update["audit"]]
        assert entries == [("kill_switch.step", "drill")]
        assert told[-1]["ladder"]["override_level"] == 2
        # Unfollowed, the socket hears the ladder's notice like every tab, and no update.
        await tab.send("operator.unfollow")
        await pin(world, admin, None, "drill over")
        await trio.sleep(world.config.limits.cost.sample_interval_s * 2)
        quiet = await tab.settle()
        assert [e["type"] for e in quiet] == ["service.notice"]


async def test_no_socket_but_an_admins_ever_receives_it(world: World) -> None:
    people = await world.users("ana")
    moira = await world.moderator()
    admin = await staff_user(world, "olga", "admin")
    async with (
        world.tab(people["ana"]) as ana,
        world.tab(moira) as mod,
        world.tab(admin) as olga,
    ):
        for tab in (ana, mod):
            refused = await follow(tab)
            assert refused["type"] == "error"
            assert (refused["status"], refused["code"]) == (403, "forbidden")
        assert (await follow(olga))["type"] == UPDATE
        await pin(world, admin, 1, "drill")
        assert (await next_update(olga))["type"] == UPDATE
        await trio.sleep(world.config.limits.cost.sample_interval_s * 2)
        for tab in (ana, mod):
            assert [e["type"] for e in await tab.settle()] == ["service.notice"]


async def test_an_admin_made_a_user_stops_receiving_it_at_once(world: World) -> None:
    root = await staff_user(world, "root", "admin")
    olga = await staff_user(world, "olga", "admin")
    async with world.tab(olga) as tab:
        assert (await follow(tab))["type"] == UPDATE
        response = await world.client.put(
            f"/admin/users/{olga.id}/role", json={"role": "user", "reason": "rotation"},
            headers=root.headers,
        )  # fmt: skip
        assert response.status_code == 200, await response.get_json()
        await pin(world, root, 1, "drill")
        await trio.sleep(world.config.limits.cost.sample_interval_s * 2)
        assert UPDATE not in [e["type"] for e in await tab.settle()]
        refused = await follow(tab)
        assert (refused["type"], refused["code"]) == ("error", "forbidden")


@pytest.mark.req("TEL-4", "TEL-2")
async def test_a_switch_another_admin_makes_shows_in_the_next_update(world: World) -> None:
    """Incident mode, Shield Mode and the channel's status ride every update, so a console open
    elsewhere sees another admin's switch without reloading."""
    olga = await staff_user(world, "olga", "admin")
    ines = await staff_user(world, "ines", "admin")
    async with world.tab(olga) as tab:
        first = await follow(tab)
        assert first["incident"]["active"] is False
        assert first["shield"]["active"] is False
        assert first["lab"]["pipeline"] == world.services.lab.status().pipeline
        response = await world.client.post(
            "/admin/incident", json={"active": True, "reason": "drill"}, headers=ines.headers
        )
        assert response.status_code == 200, await response.get_json()
        update = await next_update(tab, world.config.limits.cost.sample_interval_s * 3)
        assert update["incident"]["active"] is True
        assert update["shield"]["active"] is False
