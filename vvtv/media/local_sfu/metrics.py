"""Prometheus view of the local SFU: `vvtv_sfu_*` gauges and `_total` counters, read from its
`statistics()` snapshot at scrape time (so the media thread never calls into prometheus)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

from prometheus_client.core import CounterMetricFamily
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from vvtv.media.local_sfu.statistics import SfuStatistics

_GAUGES = {
    "sessions": "Media sessions with endpoints on the local SFU.",
    "peer_connections": "Open WebRTC peer connections.",
    "publishers": "Participants whose media the SFU receives or is waiting for.",
    "subscribers": "Subscriber tracks (one per received publisher and kind).",
}
_COUNTERS = {
    "frames_received": "Decoded publisher video frames.",
    "frames_skipped": "Publisher frames dropped by a rendition's fps cap.",
    "frames_encoded": "Frames encoded by shared rendition encoders (once for all subscribers).",
    "frames_forwarded": "Publisher frames forwarded as they came, within a rendition's caps.",
    "encoded_bytes": "Bytes produced by shared encoders.",
    "encode_seconds": "CPU seconds spent scaling and encoding renditions.",
    "keyframes_encoded": "Keyframes produced by shared encoders.",
    "keyframes_requested": "Keyframe requests (subscriber joins, PLI/FIR) routed to encoders.",
    "packets_forwarded": "Encoded packets handed to subscriber senders.",
    "packets_dropped": "Packets dropped because a subscriber fell behind.",
    "events_dropped": "Peer state events dropped because nobody consumed them.",
    "frames_checked": "Camera frames classified by the automated frame checks.",
    "check_seconds": "CPU seconds the frame checks took (scaling and classifying).",
}


class SfuCollector(Collector):
    def __init__(self, source: Callable[[], SfuStatistics]) -> None:
        self._source = source

    def collect(self) -> Iterable[Metric]:
        stats = self._source()
        for name, help_text in _GAUGES.items():
            yield GaugeMetricFamily(f"vvtv_sfu_{name}", help_text, value=getattr(stats, name))
        encoders = GaugeMetricFamily(
            "vvtv_sfu_encoders", "Live shared encoders per profile rendition.", labels=["profile"]
        )
        for profile, count in sorted(stats.encoders.items()):
            encoders.add_metric([profile], count)
        yield encoders
        sent = CounterMetricFamily(
            "vvtv_sfu_bytes_sent",
            "Bytes the RTP senders took, by rendition profile (what really went out).",
            labels=["profile"],
        )
        for profile, count in sorted(stats.bytes_sent.items()):
            sent.add_metric([profile], count)
        yield sent
        for name, help_text in _COUNTERS.items():
            yield CounterMetricFamily(
                f"vvtv_sfu_{name}", help_text, value=getattr(stats, f"{name}_total")
            )
