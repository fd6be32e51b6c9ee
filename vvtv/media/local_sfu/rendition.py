"""What every rendition shares: its origin (the publisher), its subscribers (sinks), its encoder
slot in the counters, and freeing itself once the last subscriber leaves. Audio and video differ
only in how they encode."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any
from typing import Protocol

import av

from vvtv.media.local_sfu.counters import SfuCounters


class PacketSink(Protocol):
    def deliver(self, packet: av.Packet[Any], keyframe: bool, source: object) -> None: ...


@dataclass(frozen=True, slots=True, eq=False)
class Origin:
    """What a publisher hands each of its renditions: whose frames they encode, where they encode
    and count, and the two ways back to it."""

    publisher_id: str
    executor: Executor
    counters: SfuCounters
    on_idle: Callable[[Rendition], None]  # the last subscriber left: free the encoder now
    ask_keyframe: Callable[[], None]  # of the publisher's camera, while its frames are forwarded


class Rendition:
    def __init__(self, origin: Origin, profile_name: str, encoder_key: str) -> None:
        self._origin = origin
        self.profile_name = profile_name
        self._encoder_key = encoder_key  # its slot in `SfuCounters.encoders`
        self._sinks: list[PacketSink] = []
        self.closed = False
        origin.counters.encoders[encoder_key] += 1

    @property
    def publisher_id(self) -> str:
        return self._origin.publisher_id

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
                self._origin.on_idle(self)

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
        encoders = self._origin.counters.encoders
        encoders[key] -= 1
        if not encoders[key]:
            del encoders[key]
