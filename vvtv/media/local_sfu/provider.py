"""`LocalSFU`: the MediaProvider adapter over aiortc (MED-3), callable from trio.

The SFU engine lives on an asyncio loop of its own: on a thread of this process (each port call is
one `AsyncioThread.call`), or in a worker process (`SfuOptions.process`, worker.py: how `vvtv
serve` runs it, so aiortc's garbage never stalls trio's loop). Either way trio never blocks on
media work. Peer state events come back through a bounded memory channel, and the frame checks'
results (issue 16) through another.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import trio
from prometheus_client import CollectorRegistry

from vvtv.clock import WallClock
from vvtv.clock import utc_now
from vvtv.config import ConfigBundle
from vvtv.media.errors import MediaUnavailable
from vvtv.media.frame_classifier import FrameClassifier
from vvtv.media.local_sfu.bridge import AsyncioThread
from vvtv.media.local_sfu.context import SfuContext
from vvtv.media.local_sfu.counters import SfuCounters
from vvtv.media.local_sfu.engine import SfuEngine
from vvtv.media.local_sfu.frame_sampler import checking_thread
from vvtv.media.local_sfu.frame_sampler import frame_sampler_of
from vvtv.media.local_sfu.ice import allow_loopback_candidates
from vvtv.media.local_sfu.ice import only_loopback_candidates
from vvtv.media.local_sfu.metrics import SfuCollector
from vvtv.media.local_sfu.options import SfuOptions
from vvtv.media.local_sfu.statistics import SfuStatistics
from vvtv.media.local_sfu.worker import SfuWorker
from vvtv.media.port import Endpoint
from vvtv.media.port import Endpoints
from vvtv.media.port import FrameChecked
from vvtv.media.port import Participant
from vvtv.media.port import PeerStateChanged
from vvtv.media.port import RevokeReport
from vvtv.media.port import SdpAnswer
from vvtv.media.port import SdpOffer
from vvtv.media.port import TilePoolSample
from vvtv.media.port import TurnCredentials
from vvtv.media.profiles import ProfileCatalog
from vvtv.media.turn import TurnCredentialIssuer
from vvtv.media.turn import load_turn_secret


@dataclass(frozen=True, slots=True, eq=False)
class OnThread:
    """The engine on an asyncio thread of this process."""

    bridge: AsyncioThread
    engine: SfuEngine

    async def call(self, method: str, *args: Any) -> Any:
        return await self.bridge.call(lambda: getattr(self.engine, method)(*args))

    def statistics(self) -> SfuStatistics:
        return self.engine.statistics()


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class LocalSFU:
    """Implements `vvtv.media.port.MediaProvider`. Open it with `open_local_sfu`."""

    engine_calls: OnThread | SfuWorker
    profiles: ProfileCatalog
    turn: TurnCredentialIssuer
    signalling_timeout_s: float
    events: trio.MemoryReceiveChannel[PeerStateChanged]
    """PeerStateChanged, for the orchestrator (e.g. a publisher failed)."""
    frame_checks: trio.MemoryReceiveChannel[FrameChecked]
    """Each checked frame of a published camera, for the frame checks' service (issue 16)."""

    @property
    def bridge(self) -> AsyncioThread:
        """The engine's thread (tests reach its loop); only when it runs on one."""
        assert isinstance(self.engine_calls, OnThread), "the SFU runs in a worker process"
        return self.engine_calls.bridge

    @property
    def engine(self) -> SfuEngine:
        assert isinstance(self.engine_calls, OnThread), "the SFU runs in a worker process"
        return self.engine_calls.engine

    async def create_webrtc_endpoints(
        self, session_id: str, profile_name: str, participants: tuple[Participant, ...]
    ) -> Endpoints:
        self.profiles.webrtc(profile_name)  # SES-11: refuse on the caller's side, at once
        endpoints: Endpoints = await self.engine_calls.call(
            "create", session_id, profile_name, participants
        )
        return endpoints

    async def answer(self, offer: SdpOffer) -> SdpAnswer:
        with trio.move_on_after(self.signalling_timeout_s) as scope:
            answer: SdpAnswer = await self.engine_calls.call("answer", offer)
            return answer
        assert scope.cancelled_caught
        raise MediaUnavailable(
            f"no answer for {offer.participant_id}/{offer.role} within "
            f"{self.signalling_timeout_s} s (ICE gathering)"
        )

    async def set_subscriber_profile(
        self, session_id: str, participant_id: str, profile_name: str
    ) -> None:
        self.profiles.webrtc(profile_name)
        await self.engine_calls.call(
            "set_subscriber_profile", session_id, participant_id, profile_name
        )

    async def open_tile_pool(self, session_id: str, participant_id: str, slots: int) -> Endpoint:
        endpoint: Endpoint = await self.engine_calls.call(
            "open_tile_pool", session_id, participant_id, slots
        )
        return endpoint

    async def point_tiles(
        self, session_id: str, participant_id: str, publishers: tuple[str | None, ...]
    ) -> None:
        await self.engine_calls.call("point_tiles", session_id, participant_id, publishers)

    async def sample_tile_pools(self) -> tuple[TilePoolSample, ...]:
        samples: tuple[TilePoolSample, ...] = await self.engine_calls.call("sample_tile_pools")
        return samples

    async def check_frames_now(self, participant_id: str) -> None:
        await self.engine_calls.call("check_frames_now", participant_id)

    async def last_still(self, session_id: str, participant_id: str) -> bytes | None:
        still: bytes | None = await self.engine_calls.call("last_still", session_id, participant_id)
        return still

    async def revoke_endpoints(self, session_id: str) -> RevokeReport:
        report: RevokeReport = await self.engine_calls.call("revoke", session_id)
        return report

    async def create_turn_credentials(self, session_id: str) -> TurnCredentials:
        return self.turn.issue(session_id)

    def statistics(self) -> SfuStatistics:
        return self.engine_calls.statistics()


@asynccontextmanager
async def open_local_sfu(
    config: ConfigBundle,
    *,
    data_dir: Path,
    registry: CollectorRegistry | None = None,
    options: SfuOptions | None = None,
    wall_clock: WallClock = utc_now,
    classifier: Callable[[], FrameClassifier] | None = None,
) -> AsyncIterator[LocalSFU]:
    """Start the SFU (its thread, or its worker process); on exit revoke every session and stop
    it and its encoders. `classifier` builds the frame checks' classifier instead of config's
    (tests, on a thread only: a worker process builds config's)."""
    options = options or SfuOptions()
    limits = config.limits.media
    if options.loopback_only:
        only_loopback_candidates()
    elif options.loopback_candidates:
        allow_loopback_candidates()
    issuer = TurnCredentialIssuer(limits.turn, load_turn_secret(limits.turn, data_dir), wall_clock)
    send, receive = trio.open_memory_channel[PeerStateChanged](options.events_buffer)
    send_frame, receive_frames = trio.open_memory_channel[FrameChecked](options.events_buffer)
    dropped = [0]

    def deliver(event: PeerStateChanged | FrameChecked) -> None:
        try:
            if isinstance(event, FrameChecked):
                send_frame.send_nowait(event)
            else:
                send.send_nowait(event)
        except (trio.WouldBlock, trio.ClosedResourceError):
            dropped[0] += 1

    async with send, receive, send_frame, receive_frames:
        assert classifier is None or not options.process, "a worker builds config's classifier"
        opened = (
            _open_worker(config, options, deliver)
            if options.process
            else _open_thread(config, options, deliver, classifier)
        )
        async with opened as engine_calls:

            def statistics() -> SfuStatistics:
                snapshot = engine_calls.statistics()
                extra = dropped[0]
                total = snapshot.events_dropped_total + extra
                return msgspec.structs.replace(snapshot, events_dropped_total=total)

            collector = SfuCollector(statistics)
            if registry is not None:
                registry.register(collector)
            try:
                yield LocalSFU(
                    engine_calls=engine_calls,
                    profiles=ProfileCatalog(config.media.profiles),
                    turn=issuer,
                    signalling_timeout_s=limits.sfu.signalling_timeout_s,
                    events=receive,
                    frame_checks=receive_frames,
                )
            finally:
                if registry is not None:
                    registry.unregister(collector)


Deliver = Callable[[PeerStateChanged | FrameChecked], None]


@asynccontextmanager
async def _open_thread(
    config: ConfigBundle,
    options: SfuOptions,
    deliver: Deliver,
    classifier: Callable[[], FrameClassifier] | None,
) -> AsyncIterator[OnThread]:
    token = trio.lowlevel.current_trio_token()
    executor = ThreadPoolExecutor(
        max_workers=options.encode_threads or os.cpu_count() or 2,
        thread_name_prefix="sfu-encode",
    )
    checker = checking_thread()

    def notify(event: PeerStateChanged | FrameChecked) -> None:  # called on the SFU thread
        with contextlib.suppress(trio.RunFinishedError):
            token.run_sync_soon(deliver, event)

    frames = frame_sampler_of(config.limits.media.frame_checks, checker, notify, classifier)
    engine = SfuEngine(
        ProfileCatalog(config.media.profiles),
        SfuContext(config.limits.media.sfu, executor, SfuCounters(), frames),
        notify,
    )
    bridge = AsyncioThread("vvtv-sfu")
    bridge.start()
    try:
        yield OnThread(bridge, engine)
    finally:
        with trio.CancelScope(shield=True):
            try:
                await bridge.call(engine.close)
            finally:
                await bridge.stop()
                await trio.to_thread.run_sync(executor.shutdown)
                await trio.to_thread.run_sync(checker.shutdown)


@asynccontextmanager
async def _open_worker(
    config: ConfigBundle, options: SfuOptions, deliver: Deliver
) -> AsyncIterator[SfuWorker]:
    media = config.limits.media
    worker = await SfuWorker.start(
        config.media.profiles, media.sfu, media.frame_checks, options, deliver, deliver
    )
    async with trio.open_nursery() as nursery:
        nursery.start_soon(worker.read)
        try:
            yield worker
        finally:
            with trio.CancelScope(shield=True):
                await worker.close(config.limits.runtime.shutdown.grace_s)
            nursery.cancel_scope.cancel()
