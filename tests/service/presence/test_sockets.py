"""Presence over /ws in the whole product, on trio's MockClock moved by hand (passwords hash in
real threads, so no autojump): subscribe → snapshot → batched updates, blocks and bans that bite
at once, the TTL, reconnects, two tabs of one user, and HTTP presence kept alive by heartbeats."""

from __future__ import annotations

from typing import Any

import pytest
import trio
import trio.testing
from quart.testing.connections import WebsocketDisconnectError

from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import World


def _handles(members: list[dict[str, Any]]) -> list[str]:
    return [member["handle"] for member in members]


async def _beat(world: World, clock: trio.testing.MockClock, seconds: float, *tabs: Tab) -> None:
    """Let `seconds` pass with `tabs` heartbeating at the configured interval."""
    every = world.config.limits.presence.heartbeat_interval_s
    left = seconds
    while left > 0:
        step = min(every, left)
        await world.advance(clock, step)
        left -= step
        for tab in tabs:
            await tab.send("presence.heartbeat")
        await trio.testing.wait_all_tasks_blocked()  # answered before the clock moves again


@pytest.mark.req("PRS-1", "PRS-4")
async def test_a_watcher_gets_a_snapshot_then_one_update_per_tick_for_a_burst(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("ana", "bob", "cyd", "dan")
    await world.set(people["ana"])
    async with world.tab(people["bob"]) as bob, world.tab(people["cyd"]) as cyd:
        snapshot = await bob.subscribe()
        assert snapshot["room"] == "party"
        assert _handles(snapshot["page"]["members"]) == ["ana"]
        assert (snapshot["page"]["total"], snapshot["paged"]) == (1, False)
        await cyd.set(tags=["music"])  # over the socket
        await world.set(people["dan"])  # over HTTP: the same room
        await world.set(people["ana"], is_camera_on=True)
        assert await bob.settle() == []  # nothing before the tick
        await world.advance(mock_clock, world.config.limits.presence.fanout_tick_ms / 1000)
        [update] = await bob.settle()
        assert update["type"] == "presence.update"
        assert (_handles(update["joined"]), _handles(update["changed"])) == (
            ["cyd", "dan"],
            ["ana"],
        )
        assert (update["left"], update["total"]) == ([], 3)


@pytest.mark.req("MOD-2")
async def test_a_block_made_while_both_watch_removes_each_from_the_others_view_at_once(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("ana", "bob", "cyd")
    ana, bob = people["ana"], people["bob"]
    async with (
        world.tab(ana) as ana_tab,
        world.tab(bob) as bob_tab,
        world.tab(people["cyd"]) as cyd,
    ):
        await ana_tab.set()
        await bob_tab.set()
        await cyd.set()
        seen_by_ana = await ana_tab.subscribe()
        seen_by_bob = await bob_tab.subscribe()
        assert _handles(seen_by_ana["page"]["members"]) == ["bob", "cyd"]
        bob_id = {m["handle"]: m["presence_id"] for m in seen_by_ana["page"]["members"]}["bob"]
        ana_id = {m["handle"]: m["presence_id"] for m in seen_by_bob["page"]["members"]}["ana"]

        response = await world.client.post(f"/blocks/{bob.id}", json={}, headers=ana.headers)
        assert response.status_code == 201
        # No clock moved: the block reached the room and was flushed at once, both ways.
        [to_ana] = await ana_tab.settle()
        [to_bob] = await bob_tab.settle()
        assert (to_ana["left"], to_ana["total"]) == ([bob_id], 1)
        assert (to_bob["left"], to_bob["total"]) == ([ana_id], 1)

        await world.client.delete(f"/blocks/{bob.id}", headers=ana.headers)
        [to_ana] = await ana_tab.settle()
        [to_bob] = await bob_tab.settle()
        assert (_handles(to_ana["joined"]), _handles(to_bob["joined"])) == (["bob"], ["ana"])


@pytest.mark.req("MOD-4")
async def test_a_shadow_quarantine_takes_a_watched_member_out_of_others_views_at_once(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("suspect", "viewer")
    mod = await world.moderator()
    await world.set(people["suspect"])
    async with world.tab(people["viewer"]) as viewer:
        snapshot = await viewer.subscribe()
        [suspect] = snapshot["page"]["members"]
        response = await world.client.post(
            f"/admin/users/{people['suspect'].id}/quarantine",
            json={"reason": "investigation"},
            headers=mod.headers,
        )
        assert response.status_code == 200
        [update] = await viewer.settle()
        assert update["left"] == [suspect["presence_id"]]


@pytest.mark.req("MOD-3")
async def test_a_ban_takes_a_watched_member_away_at_once_and_their_watch_too(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("ana", "bob")
    mod = await world.moderator()
    async with world.tab(people["ana"]) as ana, world.tab(people["bob"]) as bob:
        await ana.set()
        await ana.subscribe()
        snapshot = await bob.subscribe()
        [member] = snapshot["page"]["members"]
        response = await world.client.post(
            "/admin/bans",
            json={"user_id": people["ana"].id, "reason": "abuse"},
            headers=mod.headers,
        )
        assert response.status_code == 201
        [update] = await bob.settle()
        assert update["left"] == [member["presence_id"]]
        assert (await ana.next())["type"] == "banned"
    assert await world.listed(people["bob"]) == []


@pytest.mark.req("OPS-5")
async def test_two_sockets_of_one_user_are_one_member_with_two_devices(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("ana", "bob")
    async with world.tab(people["ana"]) as first, world.tab(people["ana"]) as second:
        await first.set(tags=["music"])
        await second.set()
        _, page = await world.get(people["bob"], "/presence/party")
        [ana] = page["members"]
        assert (ana["handle"], ana["devices"], ana["tags"], page["total"]) == (
            "ana",
            2,
            ["music"],
            1,
        )
        # Two tabs may watch different pages: each socket is sent its own view.
        await world.set(people["bob"])
        await first.subscribe()
        await second.subscribe(policy="grid", filters={"tags": ["art"]})
        await world.set(people["bob"], tags=["art"])
        await world.advance(mock_clock, world.config.limits.presence.fanout_tick_ms / 1000)
        [to_first] = await first.settle()
        [to_second] = await second.settle()
        assert _handles(to_first["changed"]) == ["bob"]
        assert _handles(to_second["joined"]) == ["bob"]
        await first.send("presence.leave", ecosystem="party")
        assert await first.settle() == []
    [ana] = (await world.get(people["bob"], "/presence/party"))[1]["members"]
    assert ana["devices"] == 1  # the other tab stays until its TTL


@pytest.mark.req("PRS-5", "PRS-1")
async def test_a_member_who_stops_heartbeating_is_gone_from_watchers_within_20_s(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("ana", "bob")
    limits = world.config.limits.presence
    async with world.tab(people["ana"]) as ana, world.tab(people["bob"]) as bob:
        await ana.set()
        [member] = (await bob.subscribe())["page"]["members"]
        silent_since = trio.current_time()
        await _beat(world, mock_clock, limits.ghost_ttl_s - 1, bob)
        assert await bob.settle() == []
        await _beat(world, mock_clock, 1 + limits.sweep_interval_s, bob)
        [update] = await bob.settle()
        assert update["left"] == [member["presence_id"]]
        assert trio.current_time() - silent_since <= limits.ghost_ttl_s + limits.sweep_interval_s
        assert limits.ghost_ttl_s + limits.sweep_interval_s < limits.removal_deadline_s <= 20
        # The silent tab learns it must set again.
        await ana.send("presence.heartbeat")
        refused = await ana.next()
        assert (refused["type"], refused["status"], refused["code"]) == (
            "error",
            404,
            "not_present",
        )


@pytest.mark.req("PRS-4", "OPS-5")
async def test_a_reconnect_within_the_ttl_keeps_the_presence_id_and_watchers_see_no_leave(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("ana", "bob")
    limits = world.config.limits.presence
    async with world.tab(people["bob"]) as bob:
        async with world.tab(people["ana"]) as ana:
            await ana.set(is_camera_on=True)
            [before] = (await bob.subscribe())["page"]["members"]
        # The socket closed: nothing leaves yet.
        await _beat(world, mock_clock, limits.ghost_ttl_s / 2, bob)
        async with world.tab(people["ana"]) as ana:
            await ana.set(is_camera_on=True)
            await _beat(world, mock_clock, 2 * limits.ghost_ttl_s, bob, ana)
            updates = await bob.settle()
            [after] = (await world.get(people["bob"], "/presence/party"))[1]["members"]
    assert after["presence_id"] == before["presence_id"]
    assert after["devices"] == 1  # the closed socket's device went at its TTL
    assert all(u.get("joined") == [] and u.get("left") == [] for u in updates), updates


async def test_http_presence_lives_on_http_or_socket_heartbeats_and_ends_without_them(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("ana", "bob")
    ana = people["ana"]
    limits = world.config.limits.presence
    await world.set(ana)
    for _ in range(4):  # well past the TTL, on HTTP heartbeats
        await world.advance(mock_clock, limits.heartbeat_interval_s)
        response = await world.client.post("/presence/heartbeat", json={}, headers=ana.headers)
        assert (await response.get_json()) == {
            "ecosystem": "party",
            "expires_in_s": limits.ghost_ttl_s,
        }
    assert await world.listed(people["bob"]) == ["ana"]
    # A socket of the same sign-in keeps it too, holding nothing of its own.
    async with world.tab(ana) as tab:
        await _beat(world, mock_clock, 2 * limits.ghost_ttl_s, tab)
        assert await tab.settle() == []
        assert await world.listed(people["bob"]) == ["ana"]
    await world.advance(mock_clock, limits.ghost_ttl_s + limits.sweep_interval_s)
    assert await world.listed(people["bob"]) == []
    response = await world.client.post("/presence/heartbeat", json={}, headers=ana.headers)
    assert (response.status_code, (await response.get_json())["code"]) == (404, "not_present")


@pytest.mark.req("INV-5", "MOD-7")
async def test_moving_ecosystems_leaves_the_first_at_once_and_rooms_never_mix(
    world_listing_live_public: World, mock_clock: trio.testing.MockClock
) -> None:
    world = world_listing_live_public
    people = await world.users("ana", "bob", "cyd")
    async with (
        world.tab(people["ana"]) as ana,
        world.tab(people["bob"]) as party,
        world.tab(people["cyd"]) as live,
    ):
        await ana.set(presence_mode="party")
        assert _handles((await party.subscribe())["page"]["members"]) == ["ana"]
        assert (await live.subscribe(ecosystem="live_public"))["page"]["members"] == []
        await ana.set(presence_mode="live_public")
        await world.advance(mock_clock, world.config.limits.presence.fanout_tick_ms / 1000)
        [to_party] = await party.settle()
        [to_live] = await live.settle()
        assert (to_party["room"], len(to_party["left"]), to_party["total"]) == ("party", 1, 0)
        assert (to_live["room"], _handles(to_live["joined"])) == ("live_public", ["ana"])
        # A subscription names its one room; a segment from another ecosystem is refused.
        await live.send(
            "presence.subscribe",
            query={"ecosystem": "live_public", "policy": "grid", "filters": {"modes": ["party"]}},
        )
        refused = await live.next()
        assert (refused["type"], refused["code"]) == ("error", "invalid_presence_query")


async def test_bad_presence_messages_get_error_events_and_the_socket_lives_on(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("ana")
    async with world.tab(people["ana"]) as tab:
        for message, code in (
            ({"type": "presence.set", "fields": {"presence_mode": "nope"}}, "unknown_mode"),
            ({"type": "presence.subscribe", "query": {"ecosystem": "nowhere"}},
             "unknown_ecosystem"),
            ({"type": "presence.unsubscribe", "ecosystem": "nowhere"}, "unknown_ecosystem"),
            ({"type": "presence.leave", "ecosystem": "nowhere"}, "unknown_ecosystem"),
            ({"type": "presence.heartbeat"}, "not_present"),
            ({"type": "presence.set", "fields": {"presence_mode": 3}}, "invalid_field"),
            ({"type": "presence.subscribe", "query": {"ecosystem": "party", "limit": 0}},
             "invalid_field"),
        ):  # fmt: skip
            await tab.socket.send_json(message)
            event = await tab.next()
            assert (event["type"], event["code"]) == ("error", code), message
        await tab.set()
        assert (await tab.subscribe())["page"]["members"] == []


async def test_presence_messages_need_a_signed_in_socket(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    async with world.client.websocket("/ws") as socket:
        await socket.send_json({"type": "presence.subscribe", "query": {"ecosystem": "party"}})
        refused = await socket.receive_json()
        assert (refused["type"], refused["code"]) == ("error", "unauthenticated")
        with pytest.raises(WebsocketDisconnectError) as closed:
            await socket.receive()
        assert closed.value.args[0] == 4401
