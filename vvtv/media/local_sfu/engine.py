"""The local SFU's state and signalling, on its asyncio thread (every method runs there).

Sessions hold endpoints and peer connections; publishers (keyed by participant, shared across
sessions) hold the shared encoders. Nothing here is touched from trio except the read-only
counters: `LocalSFU` reaches it only through `AsyncioThread.call`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from aiortc import MediaStreamTrack
from aiortc import RTCConfiguration
from aiortc import RTCPeerConnection
from aiortc import RTCRtpSender
from aiortc import RTCSessionDescription
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from aiortc.sdp import SessionDescription

from vvtv.config.schema.media import Profile
from vvtv.media.errors import BadOffer
from vvtv.media.errors import IncompatibleProfile
from vvtv.media.errors import MediaSessionExists
from vvtv.media.errors import MediaUnavailable
from vvtv.media.errors import RevokeFailed
from vvtv.media.errors import UnknownEndpoint
from vvtv.media.errors import UnknownMediaSession
from vvtv.media.local_sfu.context import SfuContext
from vvtv.media.local_sfu.passthrough import with_video_bandwidth
from vvtv.media.local_sfu.publisher import Publisher
from vvtv.media.local_sfu.statistics import SfuStatistics
from vvtv.media.local_sfu.subscriber_track import SubscriberTrack
from vvtv.media.local_sfu.tile_pool import TilePool
from vvtv.media.port import Endpoint
from vvtv.media.port import Endpoints
from vvtv.media.port import Participant
from vvtv.media.port import PeerState
from vvtv.media.port import PeerStateChanged
from vvtv.media.port import RevokeReport
from vvtv.media.port import Role
from vvtv.media.port import SdpAnswer
from vvtv.media.port import SdpOffer
from vvtv.media.port import TilePoolSample
from vvtv.media.profiles import ProfileCatalog

PeerKey = tuple[str, Role]
_REPORTED_STATES: dict[str, PeerState] = {
    "connected": "connected",
    "failed": "failed",
    "closed": "closed",
}  # (participant_id, role)
Notify = Callable[[PeerStateChanged], None]


def _codecs(kind: str, mime_type: str) -> list[RTCRtpCodecCapability]:
    """`mime_type` and its RTX twin: a subscriber must receive exactly what the encoder made."""
    wanted = {mime_type.lower(), f"{kind}/rtx"}
    capabilities = RTCRtpSender.getCapabilities(kind).codecs
    return [codec for codec in capabilities if codec.mimeType.lower() in wanted]


class MediaSession:
    def __init__(self, session_id: str, profile_name: str, profile: Profile) -> None:
        self.session_id = session_id
        self.profile_name = profile_name
        self.profile = profile
        self.endpoints: dict[PeerKey, Endpoint] = {}
        self.peers: dict[PeerKey, RTCPeerConnection] = {}
        self.tracks: dict[str, list[SubscriberTrack]] = {}  # subscriber id -> its tracks
        self.pools: dict[str, TilePool] = {}  # subscriber id -> its tile pool, if it has one


class SfuEngine:
    def __init__(self, profiles: ProfileCatalog, context: SfuContext, notify: Notify) -> None:
        self._profiles = profiles
        self._context = context  # handed to every publisher
        self._notify = notify
        self._sessions: dict[str, MediaSession] = {}
        self._publishers: dict[str, Publisher] = {}
        self._peer_count = 0
        self._subscriber_count = 0
        self.events_dropped_total = 0

    # -- the port's operations -------------------------------------------------------------

    async def create(
        self, session_id: str, profile_name: str, participants: tuple[Participant, ...]
    ) -> Endpoints:
        profile = self._profiles.webrtc(profile_name)  # raises before anything exists (SES-11)
        if session_id in self._sessions:
            raise MediaSessionExists(f"media session {session_id} already exists")
        session = MediaSession(session_id, profile_name, profile)
        for participant in participants:
            for endpoint in participant.endpoints():
                session.endpoints[(endpoint.participant_id, endpoint.role)] = endpoint
        self._sessions[session_id] = session
        return Endpoints(
            session_id=session_id,
            profile_name=profile_name,
            endpoints=tuple(session.endpoints.values()),
        )

    async def answer(self, offer: SdpOffer) -> SdpAnswer:
        session = self._session(offer.session_id)
        key: PeerKey = (offer.participant_id, offer.role)
        endpoint = session.endpoints.get(key)
        if endpoint is None:
            raise UnknownEndpoint(
                f"no {offer.role} endpoint for {offer.participant_id} in {offer.session_id}"
            )
        try:
            parsed = SessionDescription.parse(offer.sdp)
        except Exception as error:  # aiortc's parser raises whatever the text provokes
            raise BadOffer(f"unparsable SDP offer: {error}") from error
        await self._close_peer(session, key)  # an offer again = the client reconnects
        if self._peer_count >= self._context.limits.max_peer_connections:
            raise MediaUnavailable("the local SFU is at its peer connection cap")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no public STUN: local SFU
        session.peers[key] = pc
        self._peer_count += 1
        self._watch(session, key, pc)
        try:
            if offer.role == "publish":
                self._prepare_publish(session, offer.participant_id, pc)
            elif endpoint.slots:
                self._prepare_pool(session, session.pools[offer.participant_id], pc, parsed)
            else:
                self._prepare_subscribe(session, endpoint, pc, parsed)
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer.sdp, type="offer"))
            if offer.role == "publish" and not session.profile.audio_enabled:
                # Refuse the publisher's audio at negotiation: the client stops sending it and
                # nothing is decoded (INV-3: a thumbnail session has no audio at all).
                for transceiver in pc.getTransceivers():
                    if transceiver.kind == "audio":
                        transceiver.direction = "inactive"
            # aiortc gathers every ICE candidate inside setLocalDescription: the answer is final.
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as error:
            await self._close_peer(session, key)
            if isinstance(error, (BadOffer, MediaUnavailable)):
                raise
            raise BadOffer(f"cannot answer the offer: {error}") from error
        sdp = pc.localDescription.sdp  # complete: gathered inside setLocalDescription
        if offer.role == "publish":
            sdp = with_video_bandwidth(sdp, session.profile.video.max_bitrate_kbps)
        return SdpAnswer(
            session_id=offer.session_id,
            participant_id=offer.participant_id,
            role=offer.role,
            sdp=sdp,
        )

    async def set_subscriber_profile(
        self, session_id: str, participant_id: str, profile_name: str
    ) -> None:
        session = self._session(session_id)
        profile = self._profiles.webrtc(profile_name)
        if profile.kind != session.profile.kind:
            raise IncompatibleProfile(
                f"cannot move a {session.profile.kind} subscriber to {profile_name} "
                f"({profile.kind})"
            )
        pool = session.pools.get(participant_id)
        if pool is not None:
            pool.profile_name = profile_name  # slots pointed later get it too
            pool.refollow(self._slot_follower(pool))
            return
        tracks = session.tracks.get(participant_id)
        if not tracks:
            raise UnknownEndpoint(f"{participant_id} subscribes to nothing in {session_id}")
        for track in tracks:
            if track.kind == "video" and track.publisher_id is not None:
                publisher = self._publisher(track.publisher_id)
                track.follow(publisher.video_rendition(profile_name, profile))

    async def open_tile_pool(self, session_id: str, participant_id: str, slots: int) -> Endpoint:
        session = self._session(session_id)
        self._profiles.tiles(session.profile_name)
        if slots < 1:
            raise ValueError(f"a tile pool needs at least one slot, not {slots}")
        key: PeerKey = (participant_id, "subscribe")
        existing = session.endpoints.get(key)
        if existing is not None:
            if existing.slots != slots:
                raise MediaSessionExists(
                    f"{participant_id} already subscribes in {session_id} "
                    f"({existing.slots} slots, not {slots})"
                )
            return existing
        endpoint = Endpoint(participant_id=participant_id, role="subscribe", slots=slots)
        session.endpoints[key] = endpoint
        session.pools[participant_id] = TilePool(
            session_id, participant_id, slots, session.profile_name
        )
        return endpoint

    async def point_tiles(
        self, session_id: str, participant_id: str, publishers: tuple[str | None, ...]
    ) -> None:
        session = self._session(session_id)
        pool = session.pools.get(participant_id)
        if pool is None:
            raise UnknownEndpoint(f"{participant_id} has no tile pool in {session_id}")
        pool.point(publishers, self._slot_follower(pool))

    async def sample_tile_pools(self) -> tuple[TilePoolSample, ...]:
        return tuple(
            pool.sample() for session in self._sessions.values() for pool in session.pools.values()
        )

    async def check_frames_now(self, participant_id: str) -> None:
        if self._context.sampler is not None:
            self._context.sampler.report(participant_id)

    async def last_still(self, session_id: str, participant_id: str) -> bytes | None:
        sampler = self._context.sampler
        return sampler.last_still(session_id, participant_id) if sampler else None

    async def revoke(self, session_id: str) -> RevokeReport:
        session = self._session(session_id)
        del self._sessions[session_id]
        closed = 0
        failures: list[str] = []
        for key in list(session.peers):
            try:
                await self._close_peer(session, key)
                closed += 1
            except Exception as error:  # keep tearing down the rest, then report them all
                failures.append(f"{key[0]}/{key[1]}: {error!r}")
        if failures:
            raise RevokeFailed(f"revoking {session_id} failed for " + "; ".join(failures))
        return RevokeReport(session_id=session_id, peer_connections_closed=closed)

    async def close(self) -> None:
        """Shutdown: revoke every session (failures are moot now), stop every pump."""
        for session_id in list(self._sessions):
            with contextlib.suppress(RevokeFailed):
                await self.revoke(session_id)
        tasks = [task for publisher in self._publishers.values() for task in publisher.close()]
        self._publishers.clear()
        await asyncio.gather(*tasks, return_exceptions=True)

    def statistics(self) -> SfuStatistics:
        # Called from other threads: only atomic reads (ints, len, a dict copy).
        c = self._context.counters
        sampler = self._context.sampler
        return SfuStatistics(
            sessions=len(self._sessions),
            peer_connections=self._peer_count,
            publishers=len(self._publishers),
            subscribers=self._subscriber_count,
            encoders=dict(c.encoders),
            frames_received_total=c.frames_received_total,
            frames_skipped_total=c.frames_skipped_total,
            frames_encoded_total=c.frames_encoded_total,
            frames_forwarded_total=c.frames_forwarded_total,
            encoded_bytes_total=c.encoded_bytes_total,
            encode_seconds_total=c.encode_seconds_total,
            keyframes_encoded_total=c.keyframes_encoded_total,
            keyframes_requested_total=c.keyframes_requested_total,
            packets_forwarded_total=c.packets_forwarded_total,
            packets_dropped_total=c.packets_dropped_total,
            events_dropped_total=self.events_dropped_total,
            frames_checked_total=sampler.frames_checked if sampler else 0,
            check_seconds_total=sampler.check_seconds_total if sampler else 0.0,
            bytes_sent=dict(c.bytes_sent),  # a C-level copy: atomic under the GIL
        )

    # -- internals ---------------------------------------------------------------------------

    def _session(self, session_id: str) -> MediaSession:
        session = self._sessions.get(session_id)
        if session is None:
            raise UnknownMediaSession(f"no media session {session_id}")
        return session

    def _publisher(self, participant_id: str) -> Publisher:
        publisher = self._publishers.get(participant_id)
        if publisher is None:
            publisher = Publisher(participant_id, self._context, self._forget)
            self._publishers[participant_id] = publisher
        return publisher

    def _forget(self, publisher: Publisher) -> None:
        if self._publishers.get(publisher.participant_id) is publisher:
            del self._publishers[publisher.participant_id]

    def _prepare_publish(
        self, session: MediaSession, participant_id: str, pc: RTCPeerConnection
    ) -> None:
        audio_allowed = session.profile.audio_enabled

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video" or audio_allowed:
                receiver = next(
                    t.receiver for t in pc.getTransceivers() if t.receiver.track is track
                )
                self._publisher(participant_id).attach_source(track, session.session_id, receiver)

    def _prepare_subscribe(
        self,
        session: MediaSession,
        endpoint: Endpoint,
        pc: RTCPeerConnection,
        offer: SessionDescription,
    ) -> None:
        """Sendonly transceivers made BEFORE the offer is applied bind to its m-lines in order
        (aiortc matches by kind), which lets us pin VP8/Opus: what the shared encoders make."""
        profile = session.profile
        video_lines = [m for m in offer.media if m.kind == "video"]
        audio_lines = [m for m in offer.media if m.kind == "audio"]
        if len(video_lines) < len(endpoint.publisher_ids):
            raise BadOffer(
                f"the offer has {len(video_lines)} video m-lines for "
                f"{len(endpoint.publisher_ids)} publishers"
            )
        for line in video_lines:
            if not any(c.mimeType.lower() == "video/vp8" for c in line.rtp.codecs):
                raise BadOffer("the subscriber must accept VP8 (what the SFU encodes)")
        with_audio = profile.audio_enabled and len(audio_lines) >= len(endpoint.publisher_ids)
        tracks: list[SubscriberTrack] = []
        session.tracks[endpoint.participant_id] = tracks
        for publisher_id in endpoint.publisher_ids:
            publisher = self._publisher(publisher_id)
            video = self._subscriber_track("video", publisher_id, pc, "video/VP8")
            video.follow(publisher.video_rendition(session.profile_name, profile))
            tracks.append(video)
        if with_audio:
            # Only a profile with audio enabled ever reaches this line (INV-3).
            for publisher_id in endpoint.publisher_ids:
                publisher = self._publisher(publisher_id)
                audio = self._subscriber_track("audio", publisher_id, pc, "audio/opus")
                audio.follow(publisher.audio_rendition(session.profile_name, profile))
                tracks.append(audio)
        self._subscriber_count += len(tracks)

    def _prepare_pool(
        self,
        session: MediaSession,
        pool: TilePool,
        pc: RTCPeerConnection,
        offer: SessionDescription,
    ) -> None:
        """One sendonly VP8 transceiver per slot, bound to the offer's first video m-lines; the
        offer's audio m-lines find no transceiver of ours and are answered inactive (INV-3)."""
        video_lines = [m for m in offer.media if m.kind == "video"]
        if len(video_lines) < pool.slots:
            raise BadOffer(
                f"the offer has {len(video_lines)} video m-lines for a pool of {pool.slots} slots"
            )
        for line in video_lines[: pool.slots]:
            if not any(c.mimeType.lower() == "video/vp8" for c in line.rtp.codecs):
                raise BadOffer("the subscriber must accept VP8 (what the SFU encodes)")
        tracks: list[SubscriberTrack] = []
        for _ in range(pool.slots):
            track = self._subscriber_track("video", None, pc, "video/VP8")
            pool.watch(self._sender_of(pc, track))
            tracks.append(track)
        session.tracks[pool.participant_id] = tracks
        self._subscriber_count += len(tracks)
        pool.connect(pc, tracks, self._slot_follower(pool))

    def _slot_follower(self, pool: TilePool) -> Callable[[SubscriberTrack, str], None]:
        profile = self._profiles.webrtc(pool.profile_name)

        def follow(track: SubscriberTrack, publisher_id: str) -> None:
            track.follow(self._publisher(publisher_id).video_rendition(pool.profile_name, profile))

        return follow

    @staticmethod
    def _sender_of(pc: RTCPeerConnection, track: SubscriberTrack) -> RTCRtpSender:
        return next(t.sender for t in pc.getTransceivers() if t.sender.track is track)

    def _subscriber_track(
        self, kind: str, publisher_id: str | None, pc: RTCPeerConnection, mime_type: str
    ) -> SubscriberTrack:
        track = SubscriberTrack(
            "video" if kind == "video" else "audio",
            publisher_id,
            self._context.limits.subscriber_queue_packets,
            self._context.counters,
        )
        transceiver = pc.addTransceiver(track, direction="sendonly")
        transceiver.setCodecPreferences(_codecs(kind, mime_type))
        # A PLI/FIR only sets the sender's own keyframe flag, which pre-encoded packets ignore:
        # route it to the shared encoder instead (aiortc calls `self._send_keyframe()`; it has no
        # public hook for a receiver's keyframe request).
        sender = transceiver.sender
        sender._send_keyframe = track.request_keyframe  # type: ignore[method-assign]  # noqa: SLF001
        return track

    def _watch(self, session: MediaSession, key: PeerKey, pc: RTCPeerConnection) -> None:
        @pc.on("connectionstatechange")
        async def on_state() -> None:
            state = _REPORTED_STATES.get(pc.connectionState)
            if state is None:
                return
            self._notify(
                PeerStateChanged(
                    session_id=session.session_id,
                    participant_id=key[0],
                    role=key[1],
                    state=state,
                )
            )
            if state == "failed" and session.peers.get(key) is pc:
                await self._close_peer(session, key)

    async def _close_peer(self, session: MediaSession, key: PeerKey) -> None:
        pc = session.peers.pop(key, None)
        if pc is None:
            return
        self._peer_count -= 1
        participant_id, role = key
        pumps: list[asyncio.Task[None]] = []
        if role == "subscribe":
            tracks = session.tracks.pop(participant_id, [])
            pool = session.pools.get(participant_id)
            if pool is not None:
                pool.disconnect()  # keeps its pointing for the next connection, counts its bytes
            for track in tracks:
                track.stop()  # detaches it; a rendition left without subscribers frees its encoder
            self._subscriber_count -= len(tracks)
        else:
            publisher = self._publishers.get(participant_id)
            if publisher is not None:
                for transceiver in pc.getTransceivers():
                    source = transceiver.receiver.track
                    if source is not None and publisher.owns_source(source):
                        pump = publisher.detach_source(source.kind)
                        if pump is not None:
                            pumps.append(pump)
        await pc.close()
        await asyncio.gather(*pumps, return_exceptions=True)
