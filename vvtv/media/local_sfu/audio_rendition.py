"""One publisher's audio at one call profile's bitrate cap, Opus-encoded ONCE for every subscriber.

Only profiles whose audio is enabled ever get one: a thumbnail never has an audio rendition, so
the SFU cannot forward a thumbnail's audio even by mistake (INV-3 at runtime).
"""

from __future__ import annotations

import fractions

import av

from vvtv.media.local_sfu.rendition import Origin
from vvtv.media.local_sfu.rendition import Rendition

SAMPLE_RATE = 48000
SAMPLES_PER_PACKET = 960  # 20 ms, what WebRTC peers expect from Opus
AUDIO_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)


class AudioRendition(Rendition):
    def __init__(self, origin: Origin, profile_name: str, max_bitrate_kbps: int) -> None:
        super().__init__(origin, profile_name, f"{profile_name}/audio")
        self._bitrate = max_bitrate_kbps * 1000
        self._codec: av.AudioCodecContext | None = None
        self._resampler: av.AudioResampler | None = None
        self._first_pts: int | None = None

    def push(self, frame: av.AudioFrame) -> None:
        # 20 ms of Opus costs microseconds: encoded inline on the SFU loop, no executor hop.
        if self.closed or not self._sinks:
            return
        if self._codec is None or self._resampler is None:
            self._codec, self._resampler = self._open()
        counters = self._origin.counters
        for resampled in self._resampler.resample(frame):
            for packet in self._codec.encode(resampled):
                if packet.pts is None:
                    continue
                if self._first_pts is None:
                    self._first_pts = packet.pts  # libopus starts at a negative pts (pre-skip)
                packet.pts -= self._first_pts
                packet.time_base = AUDIO_TIME_BASE
                counters.encoded_bytes_total += packet.size
                self._deliver(packet, True)

    def _open(self) -> tuple[av.AudioCodecContext, av.AudioResampler]:
        codec = av.CodecContext.create("libopus", "w")
        assert isinstance(codec, av.AudioCodecContext)
        codec.bit_rate = self._bitrate
        codec.format = "s16"
        codec.layout = "stereo"
        codec.sample_rate = SAMPLE_RATE
        codec.time_base = AUDIO_TIME_BASE
        codec.options = {"application": "voip"}
        resampler = av.AudioResampler(
            format="s16", layout="stereo", rate=SAMPLE_RATE, frame_size=SAMPLES_PER_PACKET
        )
        return codec, resampler

    def close(self) -> None:
        super().close()
        self._codec = None
