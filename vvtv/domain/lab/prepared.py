"""What prepare hands to the queue and the transmitter: an item cut into aligned HLS segments."""

from __future__ import annotations

import msgspec


class SegmentGroup(msgspec.Struct, frozen=True, kw_only=True):
    """The same media instant in every rendition: one uri per rung, relative to the media root."""

    duration_s: float
    uris: tuple[str, ...]


class PreparedItem(msgspec.Struct, frozen=True, kw_only=True):
    prepared_id: str
    item_id: str
    renditions: tuple[str, ...]
    segments: tuple[SegmentGroup, ...]
    reserve: bool = False
    substituted_for: str | None = None
    measured_lufs: float | None = None  # input loudness before normalisation

    @property
    def duration_s(self) -> float:
        return sum(segment.duration_s for segment in self.segments)


DECODE_PREPARED = msgspec.json.Decoder(PreparedItem)
