"""The tiles service: the one entry point of the `tile.*` socket messages and of the hooks other
contexts call (socket closed, blocks, shadow quarantine), over the viewer actors (one per session).

A socket opens its session's tile pool as a device class (THB-5: the budget is `tiles.<device>`);
the session must be the caller's, active, in a mode whose profile is a thumbnail one (THB-1), and
a session keeps the device class it was opened with. Which tiles a viewer may see is presence's
rule (`Sight`), asked as they come into view. Every `tile_quality.sample_s` the SFU's measurements
of every pool go to their viewers (THB-4, THB-6), and the tiles' total estimated egress is held
against the kill switch (the alert metric; enforcing it is the operator's console's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import msgspec
import trio

from vvtv.actors import MailboxFull
from vvtv.actors import Registry
from vvtv.actors import ShuttingDown
from vvtv.actors.wakes import Wakes
from vvtv.config import ConfigBundle
from vvtv.contracts.tiles import DeviceClass
from vvtv.contracts.tiles import TileOpened
from vvtv.domain.accounts import Principal
from vvtv.domain.tiles.cost import BITS_PER_BYTE
from vvtv.domain.tiles.cost import AlertLevel
from vvtv.domain.tiles.cost import alert_level
from vvtv.domain.tiles.cost import egress_gb_per_hour
from vvtv.domain.tiles.quality import QualityRules
from vvtv.domain.tiles.viewer import Drop
from vvtv.domain.tiles.viewer import Tick
from vvtv.tiles.actor import KIND
from vvtv.tiles.actor import TilesPorts
from vvtv.tiles.actor import TileViewerActor
from vvtv.tiles.actor import ViewerCommons
from vvtv.tiles.errors import NotATileSession
from vvtv.tiles.errors import TilesNotOpen
from vvtv.tiles.messages import Blur
from vvtv.tiles.messages import Ease
from vvtv.tiles.messages import Ladder
from vvtv.tiles.messages import Leave
from vvtv.tiles.messages import Open
from vvtv.tiles.messages import Recheck
from vvtv.tiles.messages import Report
from vvtv.tiles.messages import Sample
from vvtv.tiles.statistics import TilesStatistics
from vvtv.tiles.statistics import ViewerFigures

log = logging.getLogger(__name__)


class KillSwitchLadder(Protocol):
    """The kill-switch ladder as tiles consult it (INV-7)."""

    def engaged(self, step: str) -> bool: ...

    def on_change(self, listener: Callable[[int], None]) -> None: ...


# The ladder's steps that reach tiles. No still-picture path exists: at `stills` the tiles go as
# they do at `party_tiles_off`, and the clients show the member's avatar (their still).
DEGRADE_STEP = "degraded_thumbs"
PAUSE_STEPS = ("stills", "party_tiles_off")


class Tiles:
    def __init__(self, registry: Registry, config: ConfigBundle, ports: TilesPorts) -> None:
        self._registry = registry
        self._config = config
        self._ports = ports
        quality = config.limits.tile_quality
        self._sample_s = quality.sample_s
        # Tiles whose mailbox is full are woken again one sample later.
        self.wakes = Wakes.telling(registry, KIND, Tick(), retry_s=self._sample_s)
        self._commons = ViewerCommons(
            ports,
            out_of_view_s=config.limits.viewport.out_of_view_disconnect_s,
            quality=msgspec.convert(quality, QualityRules, from_attributes=True),
            wakes=self.wakes,
        )
        self._by_connection: dict[str, str] = {}  # socket -> the session whose tiles it opened
        self._alert: AlertLevel = "ok"
        self._ease = Ease()
        self._ladder: KillSwitchLadder | None = None
        registry.register(KIND, lambda session_id: TileViewerActor(session_id, self._commons))

    async def run(self) -> None:
        """Run the viewers' wake-ups and the SFU sampler until cancelled, supervised."""
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._registry.supervise, "tile wakes", self.wakes.run)
            nursery.start_soon(self._registry.supervise, "tile samples", self._sample_forever)

    # -- the socket's messages ---------------------------------------------------------------------

    async def open(
        self, principal: Principal, connection: str, session_id: str, device: DeviceClass
    ) -> TileOpened:
        session = await self._ports.sessions.get(principal, session_id)
        mode = self._config.modes.modes.get(session.mode)
        profiles = self._config.media.profiles
        profile = profiles.get(session.media_profile or "")
        if session.state != "active" or mode is None or profile is None:
            raise NotATileSession("Tiles open in an active session of yours.", path="session_id")
        if profile.kind != "thumbnail":
            raise NotATileSession(
                f"A {session.mode} session carries no tiles ({session.media_profile}).",
                path="session_id",
            )
        degraded = profiles.get(profile.degrade_to or "")
        ladder = Ladder(
            top=session.media_profile or "",
            top_kbps=profile.max_total_kbps,
            degraded=profile.degrade_to if degraded is not None else None,
            degraded_kbps=degraded.max_total_kbps if degraded is not None else 0,
        )
        previous = self._by_connection.get(connection)
        if previous is not None and previous != session_id:
            self._tell(previous, Leave(connection))
        opened: TileOpened = await self._registry.ask(
            KIND,
            session_id,
            Open(
                connection=connection,
                user_id=principal.user_id,
                device=device,
                budget=getattr(self._config.limits.tiles, device),
                mode=session.mode,
                ecosystem=mode.ecosystem,
                ladder=ladder,
                ease=self._ease,
            ),
        )
        self._by_connection[connection] = session_id
        return opened

    async def report(self, connection: str, publishers: tuple[str, ...], *, visible: bool) -> None:
        session_id = self._by_connection.get(connection)
        if session_id is None:
            raise TilesNotOpen("Open your tiles first (`tile.open`).")
        await self._registry.ask(KIND, session_id, Report(connection, publishers, visible))

    def close(self, connection: str) -> None:
        """`tile.close`, or the socket closed: its tiles are released at once (INV-4)."""
        session_id = self._by_connection.pop(connection, None)
        if session_id is not None:
            self._tell(session_id, Leave(connection))

    # -- what other contexts tell tiles ------------------------------------------------------------

    def block_changed(self, a: str, b: str, blocked: bool) -> None:
        """Identity's `on_block`: a block ends the pair's tiles both ways at once (MOD-2)."""
        if not blocked:
            return
        for figures in list(self._commons.figures.values()):
            if figures.user_id in (a, b):
                other = b if figures.user_id == a else a
                self._tell(figures.session_id, Drop(frozenset({other})))

    def blur(self, publisher_id: str, blurred: bool) -> None:
        """The frame checks' (issue 16): `publisher_id`'s tiles show blurred to every viewer
        holding one now or granted one later, until cleared."""
        if blurred:
            self._commons.blurred.add(publisher_id)
        else:
            self._commons.blurred.discard(publisher_id)
        for session_id in list(self._commons.figures):
            self._tell(session_id, Blur(publisher_id, blurred))

    def quarantine_changed(self, user_id: str, shadow: bool) -> None:
        """Identity's `on_shadow_quarantine` (MOD-4): every viewer asks presence again."""
        for session_id in list(self._commons.figures):
            self._tell(session_id, Recheck())

    def follow(self, ladder: KillSwitchLadder) -> None:
        """Tiles step down with the kill-switch ladder, and back up with it (INV-7)."""
        self._ladder = ladder
        ladder.on_change(self.ladder_changed)
        self.ladder_changed(0)

    def ladder_changed(self, level: int) -> None:
        ladder = self._ladder
        if ladder is None:
            return
        ease = Ease(
            degrade=ladder.engaged(DEGRADE_STEP),
            pause=any(ladder.engaged(step) for step in PAUSE_STEPS),
        )
        if ease == self._ease:
            return
        self._ease = ease
        for session_id in list(self._commons.figures):
            self._tell(session_id, ease)

    # -- reading -----------------------------------------------------------------------------------

    def statistics(self) -> TilesStatistics:
        viewers = tuple(self._commons.figures.values())
        return TilesStatistics(
            viewers=viewers,
            egress_gb_per_hour=self._egress_gb_per_hour(viewers),
            alert=self._alert,
        )

    # -- internals ---------------------------------------------------------------------------------

    async def _sample_forever(self) -> None:
        while True:
            await trio.sleep(self._sample_s)
            for sample in await self._ports.media.sample_tile_pools():
                if sample.session_id in self._commons.figures:
                    self._tell(sample.session_id, Sample(sample, self._ease))
            self._check_egress()

    def _check_egress(self) -> None:
        gb_per_hour = self._egress_gb_per_hour(tuple(self._commons.figures.values()))
        limits = self._config.limits
        level = alert_level(
            gb_per_hour,
            limits.kill_switches.max_estimated_egress_gb_per_hour_total,
            limits.cost.egress_alert_fraction,
        )
        per_mbps = limits.cost.gb_per_hour_per_mbps
        self._ports.metrics.egress_rate.set(gb_per_hour / per_mbps * 1e6 / BITS_PER_BYTE)
        self._ports.metrics.alert(level)
        if level != self._alert:
            log.log(
                {"trip": logging.ERROR, "warn": logging.WARNING, "ok": logging.INFO}[level],
                "tiles' estimated egress %.1f GB/h: alert %s (kill switch %.1f GB/h)",
                gb_per_hour,
                level,
                limits.kill_switches.max_estimated_egress_gb_per_hour_total,
            )
        self._alert = level

    def _egress_gb_per_hour(self, viewers: tuple[ViewerFigures, ...]) -> float:
        cost = self._config.limits.cost
        total = 0.0
        for viewer in viewers:
            ecosystem = self._config.modes.modes[viewer.mode].ecosystem
            total += egress_gb_per_hour(
                viewer.rate_kbps, cost.gb_per_hour_per_mbps, cost.direction_factor.of(ecosystem)
            )
        return total

    def _tell(self, session_id: str, message: object) -> None:
        try:
            self._registry.tell(KIND, session_id, message)
        except MailboxFull:
            log.warning("tiles of session %s missed %r: mailbox full", session_id, message)
        except ShuttingDown:
            pass
