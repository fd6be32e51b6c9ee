"""The cost meter: every `cost.sample_interval_s` it reads what each mode runs (sessions) and what
was really sent (the SFU's senders, the channel's HLS bytes), and keeps the report the console,
the metrics and the kill-switch ladder read (TEL-4, THB-6), and the last `cost.history_samples`
of them for the console's charts."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping

import trio

from vvtv.clock import WallClock
from vvtv.config import ConfigBundle
from vvtv.contracts.cost import CostHistory
from vvtv.contracts.cost import CostLine
from vvtv.contracts.cost import CostPoint
from vvtv.contracts.cost import CostReport
from vvtv.cost.metrics import CostMetrics
from vvtv.domain import cost as rules
from vvtv.domain.cost import ModeLoad
from vvtv.domain.cost import RateWindow
from vvtv.domain.cost import attribute
from vvtv.domain.cost import cost_lines
from vvtv.domain.cost import receivers_of
from vvtv.domain.values import frozen

# The channel's bytes are counted under this key before they are given to the HLS modes.
_HLS = "hls"


@frozen
class CostPorts:
    loads: Callable[[], Awaitable[list[ModeLoad]]]  # what each mode runs now
    sfu_bytes: Callable[[], Mapping[str, int]]  # running totals sent, by rendition profile
    channel_bytes: Callable[[], int]  # running total of HLS bytes served
    clock: WallClock
    metrics: CostMetrics
    # The server's telemetry (`cost_sample` per mode running something, TEL-4); None: not told.
    emit: Callable[..., None] | None = None


class CostMeter:
    def __init__(self, config: ConfigBundle, ports: CostPorts) -> None:
        self._config = config
        self._ports = ports
        self._cost = config.limits.cost
        self._ceiling = config.limits.kill_switches.max_estimated_egress_gb_per_hour_total
        profiles = config.media.profiles
        mode_profiles = {
            name: mode.media_profile
            for name, mode in config.modes.modes.items()
            if mode.media_profile is not None
        }
        webrtc = {p: m for p, m in mode_profiles.items() if profiles[m].transport == "webrtc"}
        self._receivers = receivers_of(
            webrtc, {name: profile.degrade_to for name, profile in profiles.items()}
        )
        self._receivers[_HLS] = tuple(
            mode for mode, profile in mode_profiles.items() if profiles[profile].transport == "hls"
        )
        self._window = RateWindow(self._cost.rate_window_s)
        self._last_raw: dict[str, int] = {}
        self._attributed: dict[str, int] = {}
        self._report = self._empty()
        self._history: deque[CostPoint] = deque(maxlen=self._cost.history_samples)
        self._samples = 0
        self._listeners: list[Callable[[CostReport], Awaitable[None]]] = []
        ports.metrics.configure(
            rules.bytes_per_gb(self._cost.gb_per_hour_per_mbps),
            self._ceiling,
            self._ceiling * self._cost.egress_alert_fraction,
            self._cost.price_per_gb_usd,
        )

    def on_sample(self, listener: Callable[[CostReport], Awaitable[None]]) -> None:
        """Hand each new report to `listener` (the kill-switch ladder)."""
        self._listeners.append(listener)

    def report(self) -> CostReport:
        """The last sample's report."""
        return self._report

    def history(self, after_seq: int | None = None) -> CostHistory:
        """The samples kept, oldest first; only those after `after_seq` when given."""
        kept = self._history
        if after_seq is not None:
            kept = deque(point for point in kept if point.seq > after_seq)
        return CostHistory(
            sample_interval_s=self._cost.sample_interval_s,
            capacity=self._cost.history_samples,
            samples=list(kept),
        )

    async def sample(self) -> CostReport:
        loads = await self._ports.loads()
        raw = dict(self._ports.sfu_bytes())
        raw[_HLS] = self._ports.channel_bytes()
        # Only what was sent since the last sample is attributed, by this sample's weights.
        delta = {key: max(0, sent - self._last_raw.get(key, 0)) for key, sent in raw.items()}
        self._last_raw = raw
        per_mbps = self._cost.gb_per_hour_per_mbps
        weights = {load.mode: load.mbps * load.viewers * load.direction_factor for load in loads}
        given = attribute(delta, self._receivers, weights)
        for mode, sent in given.items():
            self._attributed[mode] = self._attributed.get(mode, 0) + sent
        self._window.add(trio.current_time(), self._attributed)
        lines = cost_lines(loads, self._window.bytes_per_second(), per_mbps)
        self._report = self._build(lines, raw[_HLS])
        self._ports.metrics.show(self._report, given)
        self._remember(self._report)
        self._tell(loads, lines)
        return self._report

    async def run(self) -> None:
        while True:
            report = await self.sample()
            for listener in self._listeners:
                await listener(report)
            await trio.sleep(self._cost.sample_interval_s)

    def _build(self, lines: list[rules.CostLine], channel_bytes: int) -> CostReport:
        price = self._cost.price_per_gb_usd
        views = [
            CostLine(
                mode=line.mode,
                viewers=line.viewers,
                estimated_gb_per_hour=line.estimated_gb_per_hour,
                measured_gb_per_hour=line.measured_gb_per_hour,
                estimated_usd_per_hour=line.estimated_gb_per_hour * price,
                measured_usd_per_hour=line.measured_gb_per_hour * price,
            )
            for line in lines
        ]
        estimated = sum(line.estimated_gb_per_hour for line in views)
        measured = sum(line.measured_gb_per_hour for line in views)
        return CostReport(
            at=self._ports.clock(),
            price_per_gb_usd=price,
            ceiling_gb_per_hour=self._ceiling,
            lines=views,
            total_estimated_gb_per_hour=estimated,
            total_measured_gb_per_hour=measured,
            total_estimated_usd_per_hour=estimated * price,
            total_measured_usd_per_hour=measured * price,
            channel_bytes_served=channel_bytes,
        )

    def _remember(self, report: CostReport) -> None:
        self._samples += 1
        self._history.append(
            CostPoint(
                seq=self._samples,
                at=report.at,
                estimated_gb_per_hour={
                    line.mode: line.estimated_gb_per_hour for line in report.lines
                },
                measured_gb_per_hour={
                    line.mode: line.measured_gb_per_hour for line in report.lines
                },
                estimated_usd_per_hour=report.total_estimated_usd_per_hour,
                measured_usd_per_hour=report.total_measured_usd_per_hour,
            )
        )

    def _tell(self, loads: list[ModeLoad], lines: list[rules.CostLine]) -> None:
        """One `cost_sample` per mode that runs something (an idle mode would only be noise)."""
        if self._ports.emit is None:
            return
        by_mode = {load.mode: load for load in loads}
        for line in lines:
            load = by_mode.get(line.mode)
            if load is None or not load.viewers:
                continue
            self._ports.emit(
                "cost_sample",
                mode=line.mode,
                concurrent_viewers=load.viewers,
                mbps_received=load.mbps,
                estimated_gb_per_hour=line.estimated_gb_per_hour,
            )

    def _empty(self) -> CostReport:
        return self._build([], 0)


def session_loads(config: ConfigBundle) -> Callable[[Mapping[str, int]], list[ModeLoad]]:
    """Loads from active sessions per mode: each session one viewer of its mode's profile at its
    ceiling (the per-session estimate of INV-10, added up)."""
    profiles = config.media.profiles
    factor = config.limits.cost.direction_factor

    def loads(active: Mapping[str, int]) -> list[ModeLoad]:
        out = []
        for mode_name, count in sorted(active.items()):
            mode = config.modes.modes.get(mode_name)
            if mode is None or mode.media_profile is None:
                continue
            out.append(
                ModeLoad(
                    mode=mode_name,
                    viewers=count,
                    mbps=profiles[mode.media_profile].max_total_kbps / 1000,
                    direction_factor=factor.of(mode.ecosystem),
                )
            )
        return out

    return loads
