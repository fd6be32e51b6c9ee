"""Immutable snapshots of the tiles context, for tests, the benchmark and the cost log (THB-6):
each viewer's tiles and what they cost so far, estimated and really sent."""

from __future__ import annotations

import msgspec


class ViewerFigures(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    user_id: str
    mode: str
    device: str
    profile: str  # the rendition its tiles receive now (THB-4)
    connected: int  # tiles receiving now
    rate_kbps: float  # connected x the rendition's bitrate
    estimated_bytes: int  # tiles x bitrate x time so far (THB-6)
    sent_bytes: int  # what the SFU really sent this viewer's pool so far


class TilesStatistics(msgspec.Struct, frozen=True, kw_only=True):
    viewers: tuple[ViewerFigures, ...]
    egress_gb_per_hour: float  # every connected tile's bitrate now, as GB/h (TEL-4)
    alert: str  # ok | warn | trip, against the kill switch

    def by_mode(self) -> dict[str, tuple[int, int]]:
        """(estimated, sent) bytes per mode."""
        totals: dict[str, tuple[int, int]] = {}
        for viewer in self.viewers:
            estimated, sent = totals.get(viewer.mode, (0, 0))
            totals[viewer.mode] = (estimated + viewer.estimated_bytes, sent + viewer.sent_bytes)
        return totals
