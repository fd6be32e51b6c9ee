"""What every rendition shares: its subscribers (sinks), its encoder slot in the counters, and
freeing itself once the last subscriber leaves. Audio and video differ only in how they encode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import Protocol

import av

from vvtv.media.local_sfu.counters import SfuCounters


class PacketSink(Protocol):
    def deliver(self, packet: av.Packet[Any], keyframe: bool, source: object) -> None: ...


class Rendition:
    def __init__(
        self,
        publisher_id: str,
        profile_name: str,
        encoder_key: str,
        counters: SfuCounters,
        on_idle: Callable[[Any], None],
    ) -> None:
        self.publisher_id = publisher_id
        self.profile_name = profile_name
        self._encoder_key = encoder_key
        self._counters = counters
        self._on_idle = on_idle
        self._sinks: list[PacketSink] = []
        self.closed = False
        counters.encoders[encoder_key] += 1

    @property
    def is_open(self) -> bool:
        return not self.closed

    @property
    def sinks(self) -> int:
        return len(self._sinks)

    def attach(self, sink: PacketSink) -> None:
        if sink not in self._sinks:
            self._sinks.append(sink)

    def detach(self, sink: PacketSink) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)
            if not self._sinks:
                self._on_idle(self)

    def request_keyframe(self) -> None:
        """Only video has keyframes; the subscriber asks every rendition alike."""

    def _deliver(self, packet: av.Packet[Any], keyframe: bool) -> None:
        for sink in tuple(self._sinks):  # a sink may detach itself while being delivered to
            sink.deliver(packet, keyframe, self)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._sinks.clear()
        key = self._encoder_key
        self._counters.encoders[key] -= 1
        if not self._counters.encoders[key]:
            del self._counters.encoders[key]
