"""The live sliding-window HLS playlists (LAB-5), as pure values and text.

The window only grows at its end and drops at its head, so EXT-X-MEDIA-SEQUENCE and
EXT-X-DISCONTINUITY-SEQUENCE only grow, whatever airs (plan or reserve loop): a player reloading
the playlist never sees it go back. Program date times are chained (each segment starts where the
previous ended) and jump forward only, after a stall, so they are monotonic too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime

import msgspec

from vvtv.domain.lab.prepared import SegmentGroup


class WindowEntry(msgspec.Struct, frozen=True, kw_only=True):
    sequence: int
    duration_s: float
    uris: tuple[str, ...]
    program_date: float  # Unix seconds
    discontinuity: bool
    item_id: str
    reserve: bool


class LiveWindow(msgspec.Struct, frozen=True, kw_only=True):
    size: int
    entries: tuple[WindowEntry, ...] = ()
    next_sequence: int = 0
    discontinuity_sequence: int = 0

    @property
    def media_sequence(self) -> int:
        return self.entries[0].sequence if self.entries else self.next_sequence

    @property
    def ends_at(self) -> float | None:
        if not self.entries:
            return None
        last = self.entries[-1]
        return last.program_date + last.duration_s


def next_program_date(window: LiveWindow, wall_now: float, tolerance_s: float) -> float:
    """Where the next segment starts: right after the last one, unless the wall clock is more
    than `tolerance_s` past that (a stall), then now: forward only, never back."""
    ends = window.ends_at
    if ends is None:
        return wall_now
    return wall_now if wall_now - ends > tolerance_s else ends


def append(
    window: LiveWindow,
    segment: SegmentGroup,
    *,
    program_date: float,
    discontinuity: bool,
    item_id: str,
    reserve: bool,
) -> LiveWindow:
    entry = WindowEntry(
        sequence=window.next_sequence,
        duration_s=segment.duration_s,
        uris=segment.uris,
        program_date=program_date,
        discontinuity=discontinuity and bool(window.entries),
        item_id=item_id,
        reserve=reserve,
    )
    entries = (*window.entries, entry)
    discontinuities = window.discontinuity_sequence
    while len(entries) > window.size:
        if entries[0].discontinuity:
            discontinuities += 1  # the tag left the playlist: RFC 8216 §4.3.3.3
        entries = entries[1:]
    return LiveWindow(
        size=window.size,
        entries=entries,
        next_sequence=window.next_sequence + 1,
        discontinuity_sequence=discontinuities,
    )


def _date(seconds: float) -> str:
    stamp = datetime.fromtimestamp(seconds, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def target_duration(segment_s: float) -> int:
    return max(1, math.ceil(segment_s))


def render_media(window: LiveWindow, rendition: int, segment_s: float, prefix: str) -> str:
    """The media playlist of rung `rendition`; a segment lacking that rung uses its last one."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{target_duration(segment_s)}",
        f"#EXT-X-MEDIA-SEQUENCE:{window.media_sequence}",
        f"#EXT-X-DISCONTINUITY-SEQUENCE:{window.discontinuity_sequence}",
    ]
    for entry in window.entries:
        if entry.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{_date(entry.program_date)}")
        lines.append(f"#EXTINF:{entry.duration_s:.3f},")
        lines.append(prefix + entry.uris[min(rendition, len(entry.uris) - 1)])
    return "\n".join(lines) + "\n"


class Variant(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    bandwidth_bps: int
    width: int
    height: int


def render_master(variants: Sequence[Variant]) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for variant in variants:
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={variant.bandwidth_bps},"
            f"RESOLUTION={variant.width}x{variant.height}"
        )
        lines.append(f"{variant.name}/index.m3u8")
    return "\n".join(lines) + "\n"
