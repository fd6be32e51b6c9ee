"""The tile viewer actor (kind `tiles`, key = the viewer's session id): a thin loop over the tile
rules that points its pool's slots through the MediaProvider, tells its socket what was granted,
refused or released, asks for its next out-of-view release (`WakeAt`), steps the pool down and up
on what the SFU measured (THB-4) and keeps its cost (THB-6).

A viewer lives in memory only: after a crash, passivation or a restart its socket is refused
`tiles_not_open` and opens again. Its session's end revokes the pool at the SFU; the next call
finds it gone and the viewer closes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import ClassVar
from typing import Protocol

import trio

from vvtv.actors import BaseActor
from vvtv.actors.wakes import Wakes
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.sessions import SessionView
from vvtv.contracts.tiles import DeviceClass
from vvtv.contracts.tiles import TileBlurred
from vvtv.contracts.tiles import TileGranted
from vvtv.contracts.tiles import TileOpened
from vvtv.contracts.tiles import TileProfileChanged
from vvtv.contracts.tiles import TileRefused
from vvtv.contracts.tiles import TileReleased
from vvtv.domain.accounts import Principal
from vvtv.domain.tiles.cost import Ledger
from vvtv.domain.tiles.cost import accrue
from vvtv.domain.tiles.cost import retune
from vvtv.domain.tiles.quality import Link
from vvtv.domain.tiles.quality import LinkSample
from vvtv.domain.tiles.quality import QualityRules
from vvtv.domain.tiles.quality import assess
from vvtv.domain.tiles.viewer import Close
from vvtv.domain.tiles.viewer import Drop
from vvtv.domain.tiles.viewer import Effect
from vvtv.domain.tiles.viewer import Granted
from vvtv.domain.tiles.viewer import Hide
from vvtv.domain.tiles.viewer import Message
from vvtv.domain.tiles.viewer import Pause
from vvtv.domain.tiles.viewer import Point
from vvtv.domain.tiles.viewer import Refused
from vvtv.domain.tiles.viewer import Released
from vvtv.domain.tiles.viewer import Show
from vvtv.domain.tiles.viewer import Tick
from vvtv.domain.tiles.viewer import Viewer
from vvtv.domain.tiles.viewer import ViewerRules
from vvtv.domain.tiles.viewer import decide
from vvtv.domain.tiles.viewer import new_viewer
from vvtv.domain.timer import WakeAt
from vvtv.domain.values import frozen
from vvtv.errors import NotFound
from vvtv.media.errors import MediaSessionExists
from vvtv.media.errors import MediaUnavailable
from vvtv.media.port import Endpoint
from vvtv.media.port import TilePoolSample
from vvtv.observability.events import ServerEvents
from vvtv.tiles.errors import DeviceMismatch
from vvtv.tiles.errors import TilesNotOpen
from vvtv.tiles.messages import ActorMessage
from vvtv.tiles.messages import Blur
from vvtv.tiles.messages import Ease
from vvtv.tiles.messages import Ladder
from vvtv.tiles.messages import Leave
from vvtv.tiles.messages import Open
from vvtv.tiles.messages import Recheck
from vvtv.tiles.messages import Report
from vvtv.tiles.messages import Sample
from vvtv.tiles.metrics import TileMetrics
from vvtv.tiles.statistics import ViewerFigures

log = logging.getLogger(__name__)

KIND = "tiles"

REFUSALS = {
    "tile_budget": "Every one of your tiles shows someone in view; this one plays when one frees.",
    "tile_unavailable": "This member's camera is not available to you now.",
    "tiles_paused": "Live tiles are paused for a moment to keep the service running.",
}


class TileMedia(Protocol):
    """What the tiles context asks of the MediaProvider (MED-1's port)."""

    async def open_tile_pool(
        self, session_id: str, participant_id: str, slots: int
    ) -> Endpoint: ...

    async def point_tiles(
        self, session_id: str, participant_id: str, publishers: tuple[str | None, ...]
    ) -> None: ...

    async def set_subscriber_profile(
        self, session_id: str, participant_id: str, profile_name: str
    ) -> None: ...


class Sight(Protocol):
    """Presence's answer: which of these members' cameras the viewer may see now."""

    async def cameras_seen_by(
        self, user_id: str, ecosystem: str, user_ids: frozenset[str]
    ) -> frozenset[str]: ...


class SampledMedia(TileMedia, Protocol):
    async def sample_tile_pools(self) -> tuple[TilePoolSample, ...]: ...


class Sessions(Protocol):
    """The orchestrator's read of a session (404 unless it is the caller's)."""

    async def get(self, principal: Principal, session_id: str) -> SessionView: ...


@frozen
class TilesPorts:
    """What the tiles context reaches outside itself."""

    media: SampledMedia
    sight: Sight
    sessions: Sessions
    notify: Callable[[str, ServerEvent], None]  # to one socket (`SocketHub.push_to`)
    metrics: TileMetrics
    events: ServerEvents | None = None  # tile_degraded (TEL-1, THB-4)


@frozen
class ViewerCommons:
    """What every viewer shares, made once by the service: the ports, config's rules, the
    wake-up timer, and the figures and blurred publishers the service reads and writes."""

    ports: TilesPorts
    out_of_view_s: float  # a tile out of view this long is released
    quality: QualityRules  # when a poor link steps down and back up (THB-4)
    wakes: Wakes
    # By session: each open viewer's, for the service to read.
    figures: dict[str, ViewerFigures] = field(default_factory=dict)
    # Publishers whose tiles show blurred (the frame checks', issue 16): told with each grant.
    blurred: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Open:
    """An open viewer: who, where, and the rules' states."""

    connection: str
    user_id: str
    device: DeviceClass
    mode: str
    ecosystem: str
    ladder: Ladder
    viewer: Viewer
    link: Link
    ledger: Ledger
    eased_down: bool = False  # the ladder holds every tile at the degraded rendition
    # Counted from the grant: the client offers right after `tile.opened`, and media flow as
    # soon as its connection is up; a sample that finds none stops the count (THB-6).
    pool_connected: bool = True
    sent_bytes: int = 0

    @property
    def profile(self) -> str:
        down = self.link.degraded or self.eased_down
        return self.ladder.degraded if down and self.ladder.degraded else self.ladder.top

    @property
    def granted(self) -> int:
        return len(self.viewer.granted)


class TileViewerActor(BaseActor):
    """Replies `TileOpened` to an `Open`; refusals raise; every other message replies None."""

    kind: ClassVar[str] = KIND

    def __init__(self, session_id: str, commons: ViewerCommons) -> None:
        self._id = session_id
        self._commons = commons
        self._ports = commons.ports
        self._open: _Open | None = None

    async def on_stop(self) -> None:
        # Passivated, crashed or shutting down: nothing keeps pointing its slots.
        if self._open is not None:
            await self._close("closed", tell=True)

    async def handle(self, message: ActorMessage) -> TileOpened | None:
        if isinstance(message, Open):
            return await self._opened(message)
        state = self._open
        if state is None:
            if isinstance(message, Report):
                raise TilesNotOpen("Open your tiles first (`tile.open`).")
            return None  # a late timer, sample or hook for a viewer already gone
        try:
            match message:
                case Report(connection, publishers, visible):
                    if connection != state.connection:
                        raise TilesNotOpen("This socket's tiles are not open (another one is).")
                    if visible:
                        wanted = frozenset(publishers)
                        seen = await self._ports.sight.cameras_seen_by(
                            state.user_id, state.ecosystem, wanted
                        )
                        await self._decide(Show(publishers, seen))
                    else:
                        await self._decide(Hide(publishers))
                case Leave(connection) if connection == state.connection:
                    await self._close("closed", tell=False)
                case Recheck():
                    shown = state.viewer.granted | frozenset(state.viewer.visible)
                    seen = await self._ports.sight.cameras_seen_by(
                        state.user_id, state.ecosystem, shown
                    )
                    if shown - seen:
                        await self._decide(Drop(shown - seen))
                case Drop() | Tick():
                    await self._decide(message)
                case Sample(sample, ease):
                    await self._sampled(sample)
                    if (ease.degrade, ease.pause) != (state.eased_down, state.viewer.paused):
                        await self._eased(ease)
                case Ease():
                    await self._eased(message)
                case Blur(publisher, blurred) if publisher in state.viewer.granted:
                    event = TileBlurred(publisher_id=publisher, blurred=blurred)
                    self._ports.notify(state.connection, event)
        except NotFound:
            # The session ended: its pool went with it (revoked at the SFU).
            await self._close("closed", tell=True, media=False)
        return None

    # -- opening and closing ---------------------------------------------------------------------

    async def _opened(self, message: Open) -> TileOpened:
        state = self._open
        if state is not None and state.device != message.device:
            raise DeviceMismatch(
                f"This session's tiles were opened as {state.device}, not {message.device}.",
                path="device",
            )
        if state is None:
            try:
                await self._ports.media.open_tile_pool(self._id, message.user_id, message.budget)
            except MediaSessionExists as error:  # opened before a restart, as another device
                raise DeviceMismatch(error.message, path="device") from error
            now = trio.current_time()
            state = self._open = _Open(
                connection=message.connection,
                user_id=message.user_id,
                device=message.device,
                mode=message.mode,
                ecosystem=message.ecosystem,
                ladder=message.ladder,
                viewer=new_viewer(ViewerRules(message.budget, self._commons.out_of_view_s)),
                link=Link(),
                ledger=Ledger(at=now, kbps=message.ladder.top_kbps),
            )
            self._ports.metrics.viewers.labels(state.mode).inc()
            await self._eased(message.ease)
        elif state.connection != message.connection:
            # Another socket takes the pool over (a reconnect): it starts from no tile at all.
            await self._decide(Close())
            state.connection = message.connection
        self._publish()
        return TileOpened(
            session_id=self._id,
            device=state.device,
            slots=state.viewer.rules.budget,
            profile=state.profile,
        )

    async def _close(self, reason: str, *, tell: bool, media: bool = True) -> None:
        state = self._open
        assert state is not None
        if media:
            # The pool may have gone with its session, or the SFU with the process (shutdown).
            with contextlib.suppress(NotFound, MediaUnavailable, RuntimeError):
                await self._decide(Close(), tell=tell)
        self._retune(trio.current_time(), connected=0)
        metrics = self._ports.metrics
        metrics.viewers.labels(state.mode).dec()
        metrics.connected.labels(state.mode).dec(self._connected(state))
        self._commons.wakes.set(self._id, None)
        self._commons.figures.pop(self._id, None)
        self._open = None
        # THB-6's cost log: one line per viewer, when it goes.
        log.info(
            "tiles of session %s closed (%s): estimated %d bytes, sent %d bytes",
            self._id,
            reason,
            int(state.ledger.estimated_bytes),
            state.sent_bytes,
            extra={"session_id": self._id, "mode": state.mode, "user_id": state.user_id},
        )

    # -- the rules' effects ----------------------------------------------------------------------

    async def _decide(self, message: Message, *, tell: bool = True) -> None:
        state = self._open
        assert state is not None
        before = self._connected(state)
        state.viewer, effects = decide(state.viewer, message, trio.current_time())
        for effect in effects:
            await self._perform(state, effect, tell)
        after = self._connected(state)
        if after != before:
            self._ports.metrics.connected.labels(state.mode).inc(after - before)
            self._retune(trio.current_time(), connected=after)
        self._publish()

    async def _perform(self, state: _Open, effect: Effect, tell: bool) -> None:
        ports = self._ports
        match effect:
            case Point(slots):
                await ports.media.point_tiles(self._id, state.user_id, slots)
            case Granted(publisher, slot):
                ports.metrics.grants.labels(state.mode).inc()
                ports.notify(state.connection, TileGranted(publisher_id=publisher, slot=slot))
                if publisher in self._commons.blurred:
                    blurred = TileBlurred(publisher_id=publisher, blurred=True)
                    ports.notify(state.connection, blurred)
            case Refused(publisher, code):
                ports.metrics.refusals.labels(code).inc()
                refused = TileRefused(publisher_id=publisher, code=code, message=REFUSALS[code])
                ports.notify(state.connection, refused)
            case Released(publisher, reason):
                ports.metrics.releases.labels(reason).inc()
                if tell:
                    released = TileReleased(publisher_id=publisher, reason=reason)
                    ports.notify(state.connection, released)
            case WakeAt(at):
                self._commons.wakes.set(self._id, at)

    # -- what the SFU measured (THB-4, THB-6) ----------------------------------------------------

    async def _sampled(self, sample: TilePoolSample) -> None:
        state = self._open
        assert state is not None
        now = trio.current_time()
        sent = max(0, sample.bytes_sent - state.sent_bytes)
        state.sent_bytes = sample.bytes_sent
        self._ports.metrics.sent_bytes.labels(state.mode).inc(sent)
        before = self._connected(state)
        state.pool_connected = sample.connected
        after = self._connected(state)
        if after != before:
            self._ports.metrics.connected.labels(state.mode).inc(after - before)
        self._retune(now, connected=after)
        ladder = state.ladder
        link_sample = LinkSample(
            packets_expected=sample.packets_expected,
            packets_lost=sample.packets_lost,
            jitter_ms=sample.jitter_ms,
        )
        profile_before = state.profile
        state.link, step = assess(state.link, link_sample, now, self._commons.quality)
        log.debug(
            "tiles of session %s: %d/%d packets lost, jitter %s ms: %s, step %s",
            self._id, sample.packets_lost, sample.packets_expected, sample.jitter_ms, state.link,
            step,
        )  # fmt: skip
        if step is not None and ladder.degraded is not None:
            self._ports.metrics.steps.labels(step).inc()
            if step == "down" and self._ports.events is not None:
                self._ports.events.emit(
                    "tile_degraded", from_profile=ladder.top, to_profile=ladder.degraded
                )
            await self._reprofile(state, before=profile_before)
        elif step is not None:
            state.link = Link()  # no rendition to step down to: the top is the bottom
        self._publish()

    async def _eased(self, ease: Ease) -> None:
        """The kill-switch ladder moved (or a viewer opens while it is down): the same path as a
        poor link's step (THB-4) for `degrade`, the rules' pause for `pause`."""
        state = self._open
        assert state is not None
        # Paused or resumed first: the renditions' news then reach exactly the tiles granted.
        await self._decide(Pause(ease.pause))
        before = state.profile
        state.eased_down = ease.degrade
        await self._reprofile(state, before=before)
        self._publish()

    async def _reprofile(self, state: _Open, *, before: str) -> None:
        """The pool's rendition follows `state.profile` if it moved from `before`."""
        if state.profile == before:
            return
        await self._ports.media.set_subscriber_profile(self._id, state.user_id, state.profile)
        ladder = state.ladder
        kbps = ladder.top_kbps if state.profile == ladder.top else ladder.degraded_kbps
        self._retune(trio.current_time(), connected=self._connected(state), kbps=kbps)
        for publisher in [p for p in state.viewer.slots if p is not None]:  # in slot order
            event = TileProfileChanged(publisher_id=publisher, profile=state.profile)
            self._ports.notify(state.connection, event)

    def _connected(self, state: _Open) -> int:
        """Tiles really receiving: granted a slot on a pool whose connection is up."""
        return state.granted if state.pool_connected else 0

    def _retune(self, now: float, *, connected: int, kbps: float | None = None) -> None:
        state = self._open
        assert state is not None
        before = state.ledger.estimated_bytes
        state.ledger = retune(
            state.ledger, now, connected=connected, kbps=state.ledger.kbps if kbps is None else kbps
        )
        self._ports.metrics.estimated_bytes.labels(state.mode).inc(
            state.ledger.estimated_bytes - before
        )

    def _publish(self) -> None:
        state = self._open
        assert state is not None
        ledger = accrue(state.ledger, trio.current_time())
        self._commons.figures[self._id] = ViewerFigures(
            session_id=self._id,
            user_id=state.user_id,
            mode=state.mode,
            device=state.device,
            profile=state.profile,
            connected=self._connected(state),
            rate_kbps=ledger.rate_kbps,
            estimated_bytes=int(ledger.estimated_bytes),
            sent_bytes=state.sent_bytes,
        )
