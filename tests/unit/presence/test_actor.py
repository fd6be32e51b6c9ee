"""The presence room actors on trio's MockClock with the shipped config: TTL, reconnects and
batching through the actor and its one wake-up timer, ecosystems as separate rooms, passivation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field

import msgspec
import pytest
import trio
import trio.testing

from vvtv.actors import ActorSettings
from vvtv.actors import Registry
from vvtv.actors import open_registry
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle
from vvtv.contracts.events import PresenceSnapshot
from vvtv.contracts.events import PresenceUpdate
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresencePage
from vvtv.contracts.presence import PresenceQuery
from vvtv.contracts.presence import PresenceSet
from vvtv.domain.presence.messages import BlocksChanged
from vvtv.domain.presence.messages import Heartbeat
from vvtv.domain.presence.messages import Join
from vvtv.domain.presence.messages import Query
from vvtv.domain.presence.messages import Subscribe
from vvtv.domain.presence.room import Person
from vvtv.domain.presence.room import RoomStatistics
from vvtv.presence.actor import KIND
from vvtv.presence.actor import Inspect
from vvtv.presence.actor import PresencePorts
from vvtv.presence.actor import PresenceRooms
from vvtv.presence.actor import ecosystems
from vvtv.presence.actor import open_presence_rooms
from vvtv.presence.actor import room_limits
from vvtv.presence.errors import NotPresent
from vvtv.presence.errors import WrongEcosystem
from vvtv.runtime import actor_settings

ANA = Person(user_id="ana", handle="ana")
BOB = Person(user_id="bob", handle="bob")
CY = Person(user_id="cy", handle="cy")


@dataclass
class Sockets:
    """The notify port: what each connection was pushed, and when (trio's clock)."""

    sent: dict[str, list[tuple[float, ServerEvent]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def __call__(self, connection: str, event: ServerEvent) -> None:
        self.sent[connection].append((trio.current_time(), event))

    def take(self, connection: str) -> list[tuple[float, ServerEvent]]:
        return self.sent.pop(connection, [])


@dataclass
class World:
    rooms: PresenceRooms
    registry: Registry
    sockets: Sockets
    wall: ManualClock

    async def join(self, connection: str, person: Person, mode: str = "party") -> PresenceMember:
        fields = PresenceSet(presence_mode=mode)
        joined = await self.rooms.ask(
            "party" if mode in ("party", "sniffers") else mode,
            Join(connection, person, fields, f"p-{person.user_id}"),
        )
        assert isinstance(joined, PresenceMember)
        return joined

    async def watch(self, connection: str, person: Person, ecosystem: str = "party") -> None:
        await self.rooms.ask(
            ecosystem, Subscribe(connection, person, PresenceQuery(ecosystem=ecosystem))
        )

    async def stats(self, ecosystem: str = "party") -> RoomStatistics:
        found = await self.rooms.ask(ecosystem, Inspect())
        assert isinstance(found, RoomStatistics)
        return found

    async def keep_alive(self, *connections: str, every_s: float = 5.0) -> None:
        while True:
            for connection in connections:
                self.rooms.tell("party", Heartbeat(connection))
            await trio.sleep(every_s)


@asynccontextmanager
async def open_world(
    config: ConfigBundle, settings: ActorSettings | None = None
) -> AsyncIterator[World]:
    sockets = Sockets()
    wall = ManualClock(follow_trio=True)
    async with (
        open_registry(settings or actor_settings(config)) as registry,
        open_presence_rooms(registry, config, PresencePorts(notify=sockets, clock=wall)) as rooms,
    ):
        yield World(rooms, registry, sockets, wall)


@pytest.mark.req("PRS-5")
async def test_a_silent_member_is_gone_from_watchers_lists_within_20_s(
    config_bundle: ConfigBundle, autojump_clock: trio.testing.MockClock
) -> None:
    async with open_world(config_bundle) as world, trio.open_nursery() as nursery:
        start = trio.current_time()
        ana = await world.join("ana-tab", ANA)
        assert ana.joined_at == world.wall()
        await world.watch("bob-tab", BOB)
        nursery.start_soon(world.keep_alive, "bob-tab")
        await trio.sleep(30)
        [(_, snapshot), (at, update)] = world.sockets.take("bob-tab")
        assert isinstance(snapshot, PresenceSnapshot)
        assert [m.handle for m in snapshot.page.members] == ["ana"]
        assert isinstance(update, PresenceUpdate)
        assert update.left == [ana.presence_id]
        ttl = config_bundle.limits.presence.ghost_ttl_s
        assert ttl <= at - start <= ttl + config_bundle.limits.presence.sweep_interval_s < 20
        assert (await world.stats()).members == 0
        with pytest.raises(NotPresent):
            await world.rooms.ask("party", Heartbeat("ana-tab"))
        nursery.cancel_scope.cancel()


@pytest.mark.req("PRS-4", "OPS-5")
async def test_a_reconnect_within_the_ttl_keeps_the_presence_id_and_nobody_sees_a_flicker(
    config_bundle: ConfigBundle, autojump_clock: trio.testing.MockClock
) -> None:
    async with open_world(config_bundle) as world, trio.open_nursery() as nursery:
        first = await world.join("ana-tab", ANA)
        await world.watch("bob-tab", BOB)
        nursery.start_soon(world.keep_alive, "bob-tab")
        await trio.sleep(10)  # ana's network dropped: no heartbeats
        again = await world.join("ana-tab", ANA)
        nursery.start_soon(world.keep_alive, "ana-tab")
        await trio.sleep(60)
        assert again.presence_id == first.presence_id
        assert [type(e) for _, e in world.sockets.take("bob-tab")] == [PresenceSnapshot]
        nursery.cancel_scope.cancel()


@pytest.mark.req("PRS-4")
async def test_a_burst_of_joins_reaches_a_watcher_as_one_update_one_tick_later(
    config_bundle: ConfigBundle, autojump_clock: trio.testing.MockClock
) -> None:
    async with open_world(config_bundle) as world:
        await world.watch("zed-tab", Person(user_id="zed", handle="zed"))
        world.sockets.take("zed-tab")
        start = trio.current_time()
        for n in range(20):
            await world.join(f"tab-{n}", Person(user_id=f"u{n}", handle=f"user{n:02d}"))
        await trio.sleep(2)
        [(at, update)] = world.sockets.take("zed-tab")
        assert isinstance(update, PresenceUpdate)
        assert len(update.joined) == 20
        assert at - start == pytest.approx(config_bundle.limits.presence.fanout_tick_ms / 1000)


@pytest.mark.req("INV-5", "MOD-7")
async def test_each_ecosystem_is_its_own_room_and_refuses_the_others_modes(
    config_bundle: ConfigBundle, autojump_clock: trio.testing.MockClock
) -> None:
    async with open_world(config_bundle) as world:
        await world.join("ana-tab", ANA, mode="party")
        await world.join("bob-tab", BOB, mode="sniffers")  # the same ecosystem as party
        await world.watch("cy-live", CY, ecosystem="live_public")
        [(_, live)] = world.sockets.take("cy-live")
        assert isinstance(live, PresenceSnapshot)
        assert live.page.total == 0
        for ecosystem in ("live_public", "random"):
            page = await world.rooms.ask(ecosystem, Query(CY, PresenceQuery(ecosystem=ecosystem)))
            assert isinstance(page, PresencePage)
            assert page.total == 0
        party = await world.rooms.ask(
            "party", Query(CY, PresenceQuery(ecosystem="party", policy="grid"))
        )
        assert [m.handle for m in party.members] == ["ana", "bob"]
        with pytest.raises(WrongEcosystem) as refused:
            await world.rooms.ask(
                "party",
                Join("cy-tab", CY, PresenceSet(presence_mode="live_public"), "p-cy"),
            )
        assert (refused.value.status, refused.value.code) == (400, "wrong_ecosystem")


@pytest.mark.req("MOD-2")
async def test_a_block_reaches_every_occupied_room_and_bites_at_once(
    config_bundle: ConfigBundle, autojump_clock: trio.testing.MockClock
) -> None:
    async with open_world(config_bundle) as world:
        ana = await world.join("ana-tab", ANA)
        await world.watch("bob-tab", BOB)
        await world.watch("bob-live", BOB, ecosystem="live_public")
        world.sockets.take("bob-tab")
        world.rooms.tell_occupied(BlocksChanged("bob", "ana", blocked=True))
        await world.stats()  # the room has handled what was told before
        [(_, update)] = world.sockets.take("bob-tab")
        assert isinstance(update, PresenceUpdate)
        assert update.left == [ana.presence_id]
        assert sorted(str(k) for k in world.rooms.wakes.rooms()) == ["live_public", "party"]


@pytest.mark.req("PRS-4")
async def test_a_room_passivates_only_once_empty(
    config_bundle: ConfigBundle, autojump_clock: trio.testing.MockClock
) -> None:
    """A silent member's room wakes for the expiry before the kernel's idle timer could fire;
    once empty, it asks for no wake-up, gets no message, and the kernel passivates it."""
    settings = msgspec.structs.replace(actor_settings(config_bundle), idle_passivate_s=17.0)
    async with open_world(config_bundle, settings) as world:
        await world.join("ana-tab", ANA)
        await world.watch("ana-tab", ANA)
        await trio.sleep(14)
        before = world.registry.statistics()[KIND]
        assert (before.actors_live, before.passivations_total) == (1, 0)
        await trio.sleep(2)  # ana's TTL (15 s) ran out: the room was woken to drop her
        woken = world.registry.statistics()[KIND]
        assert woken.messages_processed_total == before.messages_processed_total + 1
        assert (woken.actors_live, woken.passivations_total) == (1, 0)
        assert world.rooms.wakes.rooms() == []  # empty: no more wake-ups
        await trio.sleep(17)
        after = world.registry.statistics()[KIND]
        assert (after.actors_live, after.passivations_total) == (0, 1)


def test_the_rooms_take_their_limits_and_ecosystems_from_config(
    config_bundle: ConfigBundle,
) -> None:
    limits = room_limits(config_bundle.limits.presence)
    assert (limits.ttl_s, limits.tick_s, limits.sweep_s) == (15, 0.25, 1)
    rooms = ecosystems(config_bundle.modes)
    assert rooms["party"] == {"party", "sniffers"}
    assert rooms["live_public"] == {"live_public"}
    assert rooms["random"] == {"random"}
