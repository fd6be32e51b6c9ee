"""Live cost per mode (TEL-4, THB-6, INV-10): the SPEC's estimate beside what was really sent.

    estimate  GB/h = gb_per_hour_per_mbps (0.439) x Mbps x concurrent viewers x direction factor
              (Random and private calls are sent both ways: x 2)
    measured  bytes the SFU's senders took (by rendition profile) and the channel's HLS bytes
              served, as a rate over the last `window_s`

The SFU counts by rendition profile, not by mode: a profile's bytes go to the modes that can
receive it (their session profile or its degrade chain), split in proportion to their estimates.
GB is the unit the 0.439 figure implies (3600 s x 10^6 bit / 8 / 1024), so both columns agree.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from vvtv.domain.values import frozen

SECONDS_PER_HOUR = 3600.0
BITS_PER_BYTE = 8
BITS_PER_MEGABIT = 1_000_000


@frozen
class ModeLoad:
    """What one mode has running now: its sessions (each one viewer of its profile's stream, until
    a context counts viewers itself), its profile's ceiling and its ecosystem's direction factor."""

    mode: str
    viewers: int
    mbps: float
    direction_factor: float


def bytes_per_gb(gb_per_hour_per_mbps: float) -> float:
    """The bytes in the GB of the formula: 1 Mbps for an hour is `gb_per_hour_per_mbps` GB."""
    return SECONDS_PER_HOUR * BITS_PER_MEGABIT / BITS_PER_BYTE / gb_per_hour_per_mbps


def estimated_gb_per_hour(load: ModeLoad, gb_per_hour_per_mbps: float) -> float:
    return gb_per_hour_per_mbps * load.mbps * load.viewers * load.direction_factor


def attribute(
    profile_bytes: Mapping[str, int],
    receivers: Mapping[str, tuple[str, ...]],
    weights: Mapping[str, float],
) -> dict[str, int]:
    """Each profile's bytes given to the modes that receive it, in proportion to `weights` (their
    estimates). Bytes of a profile no mode receives are dropped (none with the shipped config)."""
    out: dict[str, int] = {}
    for profile, sent in profile_bytes.items():
        modes = receivers.get(profile, ())
        if not modes or not sent:
            continue
        total = sum(weights.get(mode, 0.0) for mode in modes)
        if total <= 0:
            # Nobody's estimate weighs anything: the mode whose own profile it is takes it all.
            out[modes[0]] = out.get(modes[0], 0) + sent
            continue
        given = 0
        for index, mode in enumerate(modes):
            if index == len(modes) - 1:
                share = sent - given  # the last takes the rounding, so nothing is lost
            else:
                share = int(sent * weights.get(mode, 0.0) / total)
            given += share
            if share:
                out[mode] = out.get(mode, 0) + share
    return out


def receivers_of(
    mode_profiles: Mapping[str, str], degrade_to: Mapping[str, str | None]
) -> dict[str, tuple[str, ...]]:
    """Rendition profile -> the modes whose sessions may receive it: each mode's own profile and
    the ones it degrades to (THB-4), in mode order."""
    out: dict[str, list[str]] = {}
    for mode, profile in mode_profiles.items():
        seen: set[str] = set()
        current: str | None = profile
        while current is not None and current not in seen:
            seen.add(current)
            out.setdefault(current, []).append(mode)
            current = degrade_to.get(current)
    return {profile: tuple(modes) for profile, modes in out.items()}


@dataclass(slots=True)
class RateWindow:
    """Running byte totals per key sampled over time; the rate is over the oldest sample still
    inside `window_s` (so one scrape-sized hiccup does not swing it)."""

    window_s: float
    _samples: deque[tuple[float, dict[str, int]]] = field(default_factory=deque)

    def add(self, at: float, totals: Mapping[str, int]) -> None:
        self._samples.append((at, dict(totals)))
        while len(self._samples) > 2 and at - self._samples[1][0] >= self.window_s:
            self._samples.popleft()

    def bytes_per_second(self) -> dict[str, float]:
        if len(self._samples) < 2:
            return {}
        (first_at, first), (last_at, last) = self._samples[0], self._samples[-1]
        elapsed = last_at - first_at
        if elapsed <= 0:
            return {}
        return {key: max(0, last[key] - first.get(key, 0)) / elapsed for key in last}


@frozen
class CostLine:
    mode: str
    viewers: int
    estimated_gb_per_hour: float
    measured_gb_per_hour: float


def cost_lines(
    loads: Iterable[ModeLoad],
    measured_bytes_per_second: Mapping[str, float],
    gb_per_hour_per_mbps: float,
) -> list[CostLine]:
    """One line per mode with a load or bytes sent within the window, sorted by mode."""
    per_gb = bytes_per_gb(gb_per_hour_per_mbps)
    by_mode = {load.mode: load for load in loads}
    lines = []
    sending = {mode for mode, rate in measured_bytes_per_second.items() if rate > 0}
    for mode in sorted(set(by_mode) | sending):
        load = by_mode.get(mode)
        lines.append(
            CostLine(
                mode=mode,
                viewers=load.viewers if load else 0,
                estimated_gb_per_hour=(
                    estimated_gb_per_hour(load, gb_per_hour_per_mbps) if load else 0.0
                ),
                measured_gb_per_hour=(
                    measured_bytes_per_second.get(mode, 0.0) * SECONDS_PER_HOUR / per_gb
                ),
            )
        )
    return lines
