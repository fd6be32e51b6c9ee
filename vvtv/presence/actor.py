"""The presence room actor (kind `presence`, key = an ecosystem): a thin loop over `decide` that
pushes its events to connections through the `notify` port and asks the one timer task
(`RoomWakes`) for its next `Tick`. Keying rooms by ecosystem is what keeps Party presence out of
Live Public and the Random queue (INV-5, MOD-7).

A room lives in memory only: after a crash or passivation it starts empty, and a connection it
no longer holds has its heartbeat refused (`not_present`), so its client sets its fields again.
It passivates only when empty, because a room holding anyone wakes at least every
ghost_ttl_s + sweep_interval_s, which the config keeps below the kernel's idle_passivate_s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import field
from datetime import timedelta
from typing import Any
from typing import ClassVar

import trio
from prometheus_client import CollectorRegistry

from vvtv.actors import MailboxFull
from vvtv.actors import Registry
from vvtv.actors import open_running
from vvtv.clock import WallClock
from vvtv.config import ConfigBundle
from vvtv.config import ModeManifests
from vvtv.config.schema.limits import PresenceLimits
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresencePage
from vvtv.domain.presence.decide import decide
from vvtv.domain.presence.messages import Answer
from vvtv.domain.presence.messages import Deliver
from vvtv.domain.presence.messages import Expired
from vvtv.domain.presence.messages import Message
from vvtv.domain.presence.messages import RefusalCode
from vvtv.domain.presence.messages import Refuse
from vvtv.domain.presence.messages import Tick
from vvtv.domain.presence.room import Room
from vvtv.domain.presence.room import RoomLimits
from vvtv.domain.presence.room import RoomStatistics
from vvtv.domain.presence.room import new_room
from vvtv.domain.presence.room import statistics
from vvtv.domain.timer import WakeAt
from vvtv.domain.values import frozen
from vvtv.errors import VvtvError
from vvtv.observability.events import ServerEvents
from vvtv.presence.errors import InvalidPresenceFields
from vvtv.presence.errors import InvalidPresenceQuery
from vvtv.presence.errors import NotPresent
from vvtv.presence.errors import WrongEcosystem
from vvtv.presence.metrics import PresenceMetrics
from vvtv.presence.wakes import RoomWakes

log = logging.getLogger(__name__)

KIND = "presence"

Notify = Callable[[str, ServerEvent], None]
"""Push an event to one connection, the `connection` a room was given: not to a user, since two
tabs of one user may watch different pages of a room."""

REFUSALS: Mapping[RefusalCode, type[VvtvError]] = {
    "not_present": NotPresent,
    "wrong_ecosystem": WrongEcosystem,
    "invalid_fields": InvalidPresenceFields,
    "invalid_query": InvalidPresenceQuery,
}

Reply = PresenceMember | PresencePage | frozenset[str] | RoomStatistics | None


@frozen
class PresencePorts:
    """What the presence context reaches outside itself."""

    notify: Notify
    clock: WallClock  # stamps last_seen_at / joined_at; timers run on trio's clock
    metrics: PresenceMetrics = field(default_factory=lambda: PresenceMetrics(CollectorRegistry()))
    events: ServerEvents | None = None  # presence_ghost_removed (TEL-1, PRS-5)


@frozen
class Inspect:
    """Ask a room for its statistics; changes nothing."""


def room_limits(presence: PresenceLimits) -> RoomLimits:
    return RoomLimits(
        ttl_s=presence.ghost_ttl_s,
        sweep_s=presence.sweep_interval_s,
        tick_s=presence.fanout_tick_ms / 1000,
        large_room_threshold=presence.large_room_threshold,
        party_page_size=presence.party_page_size,
        grid_page_size=presence.grid_page_size,
        page_size_max=presence.page_size_max,
        max_tags=presence.max_tags,
        max_capabilities=presence.max_capabilities,
        max_devices=presence.max_devices_per_user,
    )


def listed_modes(modes: ModeManifests) -> frozenset[str]:
    """The modes whose members others may see (`policies.presence_visible`)."""
    return frozenset(name for name, mode in modes.modes.items() if mode.policies.presence_visible)


def ecosystems(modes: ModeManifests) -> dict[str, frozenset[str]]:
    """Each ecosystem with the modes in it: the only modes its room admits."""
    found: dict[str, set[str]] = {}
    for name, mode in modes.modes.items():
        found.setdefault(mode.ecosystem, set()).add(name)
    return {ecosystem: frozenset(names) for ecosystem, names in found.items()}


@frozen
class RoomCommons:
    """What every room shares, made once by `PresenceRooms`: config's limits, the modes each
    ecosystem's room admits (no other), the modes whose members others may see, the ports and
    the wake-up timer."""

    limits: RoomLimits
    modes: Mapping[str, frozenset[str]]  # by ecosystem
    listed: frozenset[str]
    ports: PresencePorts
    wakes: RoomWakes


class PresenceRoom:
    """Replies with the asker's own presence (join, set), a page (query) or the statistics
    (`Inspect`); refusals raise."""

    kind: ClassVar[str] = KIND

    def __init__(self, ecosystem: str, commons: RoomCommons) -> None:
        self._ecosystem = ecosystem
        self._commons = commons
        self._meter = commons.ports.metrics.room(ecosystem)
        self._room: Room | None = None

    async def on_start(self) -> None:
        commons = self._commons
        origin = commons.ports.clock() - timedelta(seconds=trio.current_time())
        modes = commons.modes.get(self._ecosystem, frozenset())
        self._room = new_room(self._ecosystem, modes, commons.limits, origin, listed=commons.listed)
        self._meter.observe(statistics(self._room))  # a restarted room starts from nobody

    async def on_stop(self) -> None:
        self._commons.wakes.set(self._ecosystem, None)
        self._meter.observe(RoomStatistics(members=0, devices=0, watchers=0, large=False))
        if self._room is not None and self._room.members:
            log.warning(
                "presence room %s stopped holding %d members; they join again on their next set",
                self._ecosystem,
                len(self._room.members),
                extra={"ecosystem": self._ecosystem},
            )

    async def handle(self, message: Message | Inspect) -> Reply:
        room = self._room
        assert room is not None  # on_start ran
        if isinstance(message, Inspect):
            return statistics(room)
        _, effects = decide(room, message, trio.current_time())
        reply: Reply = None
        refusal: VvtvError | None = None
        for effect in effects:
            match effect:
                case Deliver(connection, event):
                    self._commons.ports.notify(connection, event)
                    self._meter.sent(event)
                case Answer(value):
                    reply = value
                    if isinstance(value, frozenset) and value:  # heartbeats it does not hold
                        self._meter.refused("not_present", len(value))
                case WakeAt(at):
                    self._commons.wakes.set(self._ecosystem, at)
                case Expired(presence_ids):
                    self._meter.expired(len(presence_ids))
                    if self._commons.ports.events is not None:
                        for _ in presence_ids:  # the event carries no id (TEL-3)
                            self._commons.ports.events.emit(
                                "presence_ghost_removed", ecosystem=self._ecosystem
                            )
                    log.info(
                        "presence room %s: %d silent past the TTL, removed",
                        self._ecosystem,
                        len(presence_ids),
                        extra={"ecosystem": self._ecosystem},
                    )
                case Refuse(code, text, path):
                    self._meter.refused(code)
                    refusal = REFUSALS[code](text, path=path)
        self._meter.observe(statistics(room))
        if refusal is not None:
            raise refusal
        return reply


class PresenceRooms:
    """The presence rooms of one process: registers the actor kind and owns the wake-up timer
    (run it with `open_presence_rooms`). Routes and the socket reach rooms through `ask`/`tell`."""

    def __init__(self, registry: Registry, config: ConfigBundle, ports: PresencePorts) -> None:
        self._registry = registry
        limits = room_limits(config.limits.presence)
        # A room whose mailbox is full is woken again one batching tick later.
        self.wakes = RoomWakes.telling(registry, KIND, Tick(), retry_s=limits.tick_s)
        modes = config.modes
        commons = RoomCommons(limits, ecosystems(modes), listed_modes(modes), ports, self.wakes)
        registry.register(KIND, lambda key: PresenceRoom(key, commons))

    async def ask(self, ecosystem: str, message: Message | Inspect) -> Any:
        return await self._registry.ask(KIND, ecosystem, message)

    def tell(self, ecosystem: str, message: Message) -> None:
        self._registry.tell(KIND, ecosystem, message)

    def tell_occupied(self, message: Message) -> None:
        """Tell every room holding someone (a block, a quarantine): an empty room has no one to
        apply it to, and is not woken for it."""
        for ecosystem in self.wakes.rooms():
            try:
                self._registry.tell(KIND, ecosystem, message)
            except MailboxFull:
                log.error("presence room %s missed %r: its mailbox is full", ecosystem, message)

    async def run(self) -> None:
        """Wake rooms until cancelled, supervised by the actor kernel."""
        await self._registry.supervise("presence wakes", self.wakes.run)


def open_presence_rooms(
    registry: Registry, config: ConfigBundle, ports: PresencePorts
) -> AbstractAsyncContextManager[PresenceRooms]:
    """Build the rooms and run their wake-up timer for the block's duration."""
    return open_running(PresenceRooms(registry, config, ports), name="presence wakes")
