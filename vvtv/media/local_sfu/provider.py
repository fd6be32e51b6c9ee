"""`LocalSFU`: the MediaProvider adapter over aiortc (MED-3), callable from trio.

The SFU engine lives on its own asyncio thread; each port call is one `AsyncioThread.call`, so
trio never blocks on media work. Peer state events come back through a bounded memory channel.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import trio
from prometheus_client import CollectorRegistry

from vvtv.clock import WallClock, utc_now
from vvtv.config import ConfigBundle
from vvtv.media.errors import MediaUnavailable
from vvtv.media.local_sfu.bridge import AsyncioThread
from vvtv.media.local_sfu.counters import SfuCounters
from vvtv.media.local_sfu.engine import SfuEngine
from vvtv.media.local_sfu.ice import allow_loopback_candidates
from vvtv.media.local_sfu.metrics import SfuCollector
from vvtv.media.local_sfu.options import SfuOptions
from vvtv.media.local_sfu.statistics import SfuStatistics
from vvtv.media.port import (
    Endpoint,
    Endpoints,
    Participant,
    PeerStateChanged,
    RevokeReport,
    SdpAnswer,
    SdpOffer,
    TilePoolSample,
    TurnCredentials,
)
from vvtv.media.profiles import ProfileCatalog
from vvtv.media.turn import TurnCredentialIssuer, load_turn_secret


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class LocalSFU:
    """Implements `vvtv.media.port.MediaProvider`. Open it with `open_local_sfu`."""

    bridge: AsyncioThread
    engine: SfuEngine
    profiles: ProfileCatalog
    turn: TurnCredentialIssuer
    signalling_timeout_s: float
    events: trio.MemoryReceiveChannel[PeerStateChanged]
    """PeerStateChanged, for the orchestrator (e.g. a publisher failed)."""

    async def create_webrtc_endpoints(
        self, session_id: str, profile_name: str, participants: tuple[Participant, ...]
    ) -> Endpoints:
        self.profiles.webrtc(profile_name)  # SES-11: refuse on the caller's side, at once
        return await self.bridge.call(
            lambda: self.engine.create(session_id, profile_name, participants)
        )

    async def answer(self, offer: SdpOffer) -> SdpAnswer:
        with trio.move_on_after(self.signalling_timeout_s) as scope:
            return await self.bridge.call(lambda: self.engine.answer(offer))
        assert scope.cancelled_caught
        raise MediaUnavailable(
            f"no answer for {offer.participant_id}/{offer.role} within "
            f"{self.signalling_timeout_s} s (ICE gathering)"
        )

    async def set_subscriber_profile(
        self, session_id: str, participant_id: str, profile_name: str
    ) -> None:
        self.profiles.webrtc(profile_name)
        await self.bridge.call(
            lambda: self.engine.set_subscriber_profile(session_id, participant_id, profile_name)
        )

    async def open_tile_pool(self, session_id: str, participant_id: str, slots: int) -> Endpoint:
        return await self.bridge.call(
            lambda: self.engine.open_tile_pool(session_id, participant_id, slots)
        )

    async def point_tiles(
        self, session_id: str, participant_id: str, publishers: tuple[str | None, ...]
    ) -> None:
        await self.bridge.call(
            lambda: self.engine.point_tiles(session_id, participant_id, publishers)
        )

    async def sample_tile_pools(self) -> tuple[TilePoolSample, ...]:
        return await self.bridge.call(self.engine.sample_tile_pools)

    async def revoke_endpoints(self, session_id: str) -> RevokeReport:
        return await self.bridge.call(lambda: self.engine.revoke(session_id))

    async def create_turn_credentials(self, session_id: str) -> TurnCredentials:
        return self.turn.issue(session_id)

    def statistics(self) -> SfuStatistics:
        return self.engine.statistics()


@asynccontextmanager
async def open_local_sfu(
    config: ConfigBundle,
    *,
    data_dir: Path,
    registry: CollectorRegistry | None = None,
    options: SfuOptions | None = None,
    wall_clock: WallClock = utc_now,
) -> AsyncIterator[LocalSFU]:
    """Start the SFU thread; on exit revoke every session, stop the thread and its encoders."""
    options = options or SfuOptions()
    limits = config.limits.media
    if options.loopback_candidates:
        allow_loopback_candidates()
    profiles = ProfileCatalog(config.media.profiles)
    issuer = TurnCredentialIssuer(limits.turn, load_turn_secret(limits.turn, data_dir), wall_clock)
    counters = SfuCounters()
    send, receive = trio.open_memory_channel[PeerStateChanged](options.events_buffer)
    token = trio.lowlevel.current_trio_token()
    executor = ThreadPoolExecutor(
        max_workers=options.encode_threads or os.cpu_count() or 2,
        thread_name_prefix="sfu-encode",
    )
    engine: SfuEngine

    def deliver(event: PeerStateChanged) -> None:
        try:
            send.send_nowait(event)
        except (trio.WouldBlock, trio.ClosedResourceError):
            engine.events_dropped_total += 1

    def notify(event: PeerStateChanged) -> None:  # called on the SFU thread
        with contextlib.suppress(trio.RunFinishedError):
            token.run_sync_soon(deliver, event)

    engine = SfuEngine(profiles, limits.sfu, executor, counters, notify)
    bridge = AsyncioThread("vvtv-sfu")
    bridge.start()
    collector = SfuCollector(engine.statistics)
    if registry is not None:
        registry.register(collector)
    try:
        async with send, receive:
            yield LocalSFU(
                bridge=bridge,
                engine=engine,
                profiles=profiles,
                turn=issuer,
                signalling_timeout_s=limits.sfu.signalling_timeout_s,
                events=receive,
            )
    finally:
        with trio.CancelScope(shield=True):
            try:
                await bridge.call(engine.close)
            finally:
                await bridge.stop()
                await trio.to_thread.run_sync(executor.shutdown)
                if registry is not None:
                    registry.unregister(collector)
