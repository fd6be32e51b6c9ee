"""What one subscriber's RTP sender reads: the shared rendition's packets, never frames.

Because `recv()` returns `av.Packet[Any]`s, aiortc's `RTCRtpSender` only packetizes them (no encoder
per viewer). A video subscriber starts — and restarts after falling behind — on a keyframe it asks
the shared encoder for, and moves between renditions only at a keyframe of the new one (THB-4) —
of the same publisher, or of another one for a tile slot being re-pointed (THB-2).
"""

from __future__ import annotations

import asyncio
from typing import Any
from typing import Literal

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from vvtv.media.local_sfu.counters import SfuCounters
from vvtv.media.local_sfu.rendition import Rendition

Kind = Literal["audio", "video"]


class SubscriberTrack(MediaStreamTrack):
    def __init__(
        self, kind: Kind, publisher_id: str | None, queue_size: int, counters: SfuCounters
    ) -> None:
        super().__init__()
        self.kind = kind
        self.publisher_id = publisher_id  # None: a tile slot pointed at nobody
        self._queue: asyncio.Queue[av.Packet[Any] | None] = asyncio.Queue(queue_size)
        self._counters = counters
        self._current: Rendition | None = None
        self._pending: Rendition | None = None
        self._pulling = False  # the sender reads only once DTLS is up; until then keep nothing
        self._needs_keyframe = kind == "video"
        self.packets_delivered = 0
        self.bytes_delivered = 0  # taken by the RTP sender: what really went out (THB-6)

    def follow(self, rendition: Rendition) -> None:
        """Receive `rendition`; if another one is playing, switch at the new one's keyframe."""
        if self._pending is not None and self._pending is not rendition:
            self._pending.detach(self)
            self._pending = None
        if rendition is self._current:
            # ... and a switch away from it that had not happened yet is called off.
            self.publisher_id = rendition.publisher_id
            return
        if self._current is None:
            self._current = rendition
        else:
            self._pending = rendition
        self.publisher_id = rendition.publisher_id
        rendition.attach(self)
        if self._pulling and self.kind == "video":
            rendition.request_keyframe()

    def unfollow(self) -> None:
        """Receive nothing from now on (a tile slot released): the sender idles on an empty queue
        and the rendition, left without this sink, may free its encoder."""
        for rendition in (self._current, self._pending):
            if rendition is not None:
                rendition.detach(self)
        self._current = self._pending = None
        self.publisher_id = None
        self._needs_keyframe = self.kind == "video"
        self._drain()

    def deliver(self, packet: av.Packet[Any], keyframe: bool, source: object) -> None:
        if source is self._pending:
            if not keyframe:
                return
            assert self._current is not None
            self._current.detach(self)
            self._current, self._pending = self._pending, None
            self._needs_keyframe = False
        elif source is not self._current or not self._pulling:
            return
        elif self._needs_keyframe:
            if not keyframe:
                return
            self._needs_keyframe = False
        try:
            self._queue.put_nowait(packet)
        except asyncio.QueueFull:
            # Behind by a whole queue: drop the backlog and resume at a fresh keyframe, rather
            # than delay this viewer further or grow memory.
            self._counters.packets_dropped_total += self._queue.qsize() + 1
            self._drain()
            if self.kind == "video":
                self._needs_keyframe = True
                self.request_keyframe()
            return
        self._counters.packets_forwarded_total += 1

    def request_keyframe(self) -> None:
        """A PLI/FIR from this subscriber (or its join): the shared encoder makes the keyframe."""
        if self.kind == "video" and self._current is not None:
            self._current.request_keyframe()

    async def recv(self) -> av.Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        if not self._pulling:
            self._pulling = True
            self.request_keyframe()
        packet = await self._queue.get()
        if packet is None:
            raise MediaStreamError
        self.packets_delivered += 1
        self.bytes_delivered += packet.size
        if self._current is not None:
            self._counters.bytes_sent[self._current.profile_name] += packet.size
        return packet

    def stop(self) -> None:
        if self.readyState == "ended":
            return
        super().stop()
        for rendition in (self._current, self._pending):
            if rendition is not None:
                rendition.detach(self)
        self._current = self._pending = None
        self._drain()
        self._queue.put_nowait(None)  # wakes a sender blocked in recv()

    def _drain(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()
