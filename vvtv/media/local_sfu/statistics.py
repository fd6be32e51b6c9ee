"""`SfuStatistics`: an immutable snapshot of the local SFU, for tests and the metrics collector."""

from __future__ import annotations

import msgspec


class SfuStatistics(msgspec.Struct, frozen=True, kw_only=True):
    sessions: int
    peer_connections: int
    publishers: int
    subscribers: int  # subscriber tracks (one per received publisher and kind)
    encoders: dict[str, int]  # live shared encoders per profile (`<profile>/audio` for audio)
    frames_received_total: int
    frames_skipped_total: int
    frames_encoded_total: int
    frames_forwarded_total: int
    encoded_bytes_total: int
    encode_seconds_total: float
    keyframes_encoded_total: int
    keyframes_requested_total: int
    packets_forwarded_total: int
    packets_dropped_total: int
    events_dropped_total: int
    frames_checked_total: int = 0  # camera frames classified by the frame checks (issue 16)
    check_seconds_total: float = 0.0  # CPU seconds they took (scaling and classifying)
    bytes_sent: dict[str, int] = {}  # running totals taken by the RTP senders, by rendition profile

    @property
    def encoder_count(self) -> int:
        return sum(self.encoders.values())
