"""The SFU's running totals, mutated only on the SFU's asyncio thread and read (as plain ints,
atomically under the GIL) by `statistics()` and the Prometheus collector from other threads."""

from __future__ import annotations

from collections import Counter


class SfuCounters:
    def __init__(self) -> None:
        self.frames_received_total = 0  # decoded publisher frames (video), before any fps gate
        self.frames_skipped_total = 0  # dropped by a rendition's fps cap
        self.frames_encoded_total = 0  # one per rendition frame, however many subscribers
        self.frames_forwarded_total = 0  # publisher frames sent as they came (passthrough.py)
        self.encoded_bytes_total = 0
        self.encode_seconds_total = 0.0
        self.keyframes_encoded_total = 0
        self.keyframes_requested_total = 0  # subscriber PLI/FIR + joins, routed to the encoder
        self.packets_forwarded_total = 0  # encoded packets handed to subscriber senders
        self.packets_dropped_total = 0  # a subscriber fell behind its queue
        self.encoders: Counter[str] = Counter()  # live shared encoders per profile name
        # Bytes the RTP senders took, by rendition profile: what really went out (TEL-4, THB-6).
        self.bytes_sent: Counter[str] = Counter()
