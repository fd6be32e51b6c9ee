"""One participant's published camera and mic: decoded once, fanned out to its renditions; its
camera's own VP8 frames go to the renditions whose caps they fit (passthrough.py).

A publisher outlives any one session: viewers in other sessions (Party tiles) subscribe to it by
participant id. It is forgotten when it has neither a source nor a rendition left.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import av
from aiortc import MediaStreamTrack
from aiortc import RTCRtpReceiver
from aiortc.mediastreams import MediaStreamError

from vvtv.config.schema.media import AudioCaps
from vvtv.config.schema.media import Profile
from vvtv.media.local_sfu.audio_rendition import AudioRendition
from vvtv.media.local_sfu.context import SfuContext
from vvtv.media.local_sfu.passthrough import RTP_VIDEO_CLOCK
from vvtv.media.local_sfu.passthrough import VP8
from vvtv.media.local_sfu.passthrough import ReceiverTap
from vvtv.media.local_sfu.passthrough import SourceMeter
from vvtv.media.local_sfu.passthrough import vp8_keyframe_size
from vvtv.media.local_sfu.rendition import Origin
from vvtv.media.local_sfu.rendition import Rendition
from vvtv.media.local_sfu.video_rendition import VideoRendition


class Publisher:
    def __init__(
        self, participant_id: str, context: SfuContext, on_idle: Callable[[Publisher], None]
    ) -> None:
        self.participant_id = participant_id
        self._context = context
        self._on_idle = on_idle
        # What each of its renditions is made with: the ways back here included.
        self._origin = Origin(
            participant_id, context.executor, context.counters, self._release, self._ask_keyframe
        )
        self._tap: ReceiverTap | None = None  # while a forwardable camera is attached
        self._meter = self._new_meter()
        # The camera's timeline onto the loop's clock, set by its first frame (encoded or
        # decoded): forwarded and encoded frames are stamped alike.
        self._offset: float | None = None
        self.video_renditions: dict[str, VideoRendition] = {}
        self.audio_renditions: dict[str, AudioRendition] = {}
        self._sources: dict[str, tuple[MediaStreamTrack, asyncio.Task[None]]] = {}

    @property
    def idle(self) -> bool:
        return not (self._sources or self.video_renditions or self.audio_renditions)

    def video_rendition(self, profile_name: str, profile: Profile) -> VideoRendition:
        rendition = self.video_renditions.get(profile_name)
        if rendition is None:
            rendition = VideoRendition(self._origin, profile_name, profile.video)
            self.video_renditions[profile_name] = rendition
        return rendition

    def audio_rendition(self, profile_name: str, profile: Profile) -> AudioRendition:
        # Callers check `profile.audio_enabled` first; this refuses again so INV-3 has no gap.
        if not profile.audio_enabled or not isinstance(profile.audio, AudioCaps):
            raise ValueError(f"profile {profile_name} carries no audio (INV-3)")
        rendition = self.audio_renditions.get(profile_name)
        if rendition is None:
            rendition = AudioRendition(self._origin, profile_name, profile.audio.max_bitrate_kbps)
            self.audio_renditions[profile_name] = rendition
        return rendition

    def attach_source(
        self, track: MediaStreamTrack, session_id: str, receiver: RTCRtpReceiver | None = None
    ) -> None:
        """Start reading a freshly received track, published in `session_id` (a newer connection
        replaces an older one); a video `receiver`'s encoded frames may be forwarded."""
        self.detach_source(track.kind)
        if track.kind == "video":
            limits = self._context.limits
            self._offset = None
            self._meter = self._new_meter()
            if receiver is not None and limits.passthrough:
                tap = self._tap = ReceiverTap(
                    receiver,
                    lambda codec, frame, at: self._on_encoded(tap, codec, frame, at),
                    limits.keyframe_request_interval_s,
                )
        pump = self._pump_video if track.kind == "video" else self._pump_audio
        task = asyncio.get_running_loop().create_task(pump(track))
        self._sources[track.kind] = (track, task)
        if track.kind == "video" and self._context.sampler is not None:
            self._context.sampler.started(self.participant_id, session_id)

    def owns_source(self, track: MediaStreamTrack) -> bool:
        held = self._sources.get(track.kind)
        return held is not None and held[0] is track

    def detach_source(self, kind: str) -> asyncio.Task[None] | None:
        held = self._sources.pop(kind, None)
        if held is None:
            return None
        held[1].cancel()
        if kind == "video":
            self._tap = None
            self._meter.unusable()
            if self._context.sampler is not None:
                self._context.sampler.stopped(self.participant_id)
        self._maybe_idle()
        return held[1]

    def _on_encoded(self, tap: ReceiverTap, codec: str, frame: bytes, timestamp: int) -> None:
        if tap is not self._tap:
            return  # a replaced source's last frames
        if codec != VP8:
            self._meter.unusable()
            return
        seconds = timestamp / RTP_VIDEO_CLOCK
        if self._offset is None:
            self._offset = asyncio.get_running_loop().time() - seconds
        keyframe_size = vp8_keyframe_size(frame)
        self._meter.add(seconds, len(frame), keyframe_size)
        for rendition in tuple(self.video_renditions.values()):
            fits = self._meter.fits(rendition.caps)
            rendition.forward(frame, keyframe_size is not None, seconds, self._offset, fits)

    def _new_meter(self) -> SourceMeter:
        limits = self._context.limits
        return SourceMeter(limits.passthrough_window_s, limits.passthrough_tolerance)

    def _ask_keyframe(self) -> None:
        if self._tap is not None:
            self._tap.ask_keyframe()

    async def _pump_video(self, track: MediaStreamTrack) -> None:
        loop = asyncio.get_running_loop()
        counters = self._context.counters  # read once, not per frame
        sampler = self._context.sampler
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                assert isinstance(frame, av.VideoFrame)
                counters.frames_received_total += 1
                if sampler is not None:
                    sampler.offer(self.participant_id, frame)
                if self._offset is None and frame.pts is not None and frame.time_base is not None:
                    self._offset = loop.time() - float(frame.pts * frame.time_base)
                for rendition in tuple(self.video_renditions.values()):
                    await rendition.push(frame, self._offset or 0.0)

    async def _pump_audio(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                assert isinstance(frame, av.AudioFrame)
                for rendition in tuple(self.audio_renditions.values()):
                    rendition.push(frame)

    def _release(self, rendition: Rendition) -> None:
        """A rendition lost its last subscriber: free its encoder now."""
        if isinstance(rendition, VideoRendition):
            self.video_renditions.pop(rendition.profile_name, None)
        else:
            self.audio_renditions.pop(rendition.profile_name, None)
        rendition.close()
        self._maybe_idle()

    def _maybe_idle(self) -> None:
        if self.idle:
            self._on_idle(self)

    def close(self) -> list[asyncio.Task[None]]:
        tasks = [task for _, task in self._sources.values()]
        for task in tasks:
            task.cancel()
        if "video" in self._sources and self._context.sampler is not None:
            self._context.sampler.stopped(self.participant_id)
        self._sources.clear()
        for video in self.video_renditions.values():
            video.close()
        for audio in self.audio_renditions.values():
            audio.close()
        self.video_renditions.clear()
        self.audio_renditions.clear()
        return tasks
