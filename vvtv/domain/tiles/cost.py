"""THB-6: what a viewer's tiles cost, live: tiles connected x their rendition's bitrate x time,
and where the estimated egress stands against the kill switch (TEL-4's GB/h per Mbps).

The bitrate is the rendition's cap (`max_total_kbps`): the encoder's rate control and the SFU's
byte budget keep a busy picture at it, and a calm one under it, so the estimate is a ceiling that a
moving camera reaches; the SFU's byte counts say what was really sent, beside it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from vvtv.domain.values import frozen

AlertLevel = Literal["ok", "warn", "trip"]
BITS_PER_BYTE = 8


@frozen
class Ledger:
    """One viewer's estimate so far, accrued up to `at` (trio seconds)."""

    at: float
    connected: int = 0  # tiles receiving now
    kbps: float = 0.0  # per tile, at the rendition the viewer receives now
    estimated_bytes: float = 0.0

    @property
    def rate_kbps(self) -> float:
        return self.connected * self.kbps


def accrue(ledger: Ledger, now: float) -> Ledger:
    """The estimate brought up to `now` at the current tiles and rate."""
    seconds = max(0.0, now - ledger.at)
    added = ledger.rate_kbps * 1000 / BITS_PER_BYTE * seconds
    return replace(ledger, at=now, estimated_bytes=ledger.estimated_bytes + added)


def retune(ledger: Ledger, now: float, *, connected: int, kbps: float) -> Ledger:
    """From `now` on, `connected` tiles at `kbps` each (what came before is accrued first)."""
    return replace(accrue(ledger, now), connected=connected, kbps=kbps)


def egress_gb_per_hour(rate_kbps: float, gb_per_hour_per_mbps: float, direction: float) -> float:
    """TEL-4: GB/h = gb_per_hour_per_mbps x Mbps x the ecosystem's direction factor."""
    return gb_per_hour_per_mbps * rate_kbps / 1000 * direction


def alert_level(
    gb_per_hour: float, kill_switch_gb_per_hour: float, warn_fraction: float
) -> AlertLevel:
    if gb_per_hour >= kill_switch_gb_per_hour:
        return "trip"
    if gb_per_hour >= kill_switch_gb_per_hour * warn_fraction:
        return "warn"
    return "ok"
