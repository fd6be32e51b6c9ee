"""A fake MediaProvider for the orchestrator's tests: no media, every call recorded, failures on
demand. It refuses unknown profiles exactly like the real adapter (SES-11)."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from vvtv.config.schema.media import Profile
from vvtv.media.errors import MediaSessionExists
from vvtv.media.errors import RevokeFailed
from vvtv.media.errors import UnknownEndpoint
from vvtv.media.errors import UnknownMediaSession
from vvtv.media.port import Endpoint
from vvtv.media.port import Endpoints
from vvtv.media.port import Participant
from vvtv.media.port import RevokeReport
from vvtv.media.port import SdpAnswer
from vvtv.media.port import SdpOffer
from vvtv.media.port import TilePoolSample
from vvtv.media.port import TurnCredentials
from vvtv.media.profiles import ProfileCatalog


class ProviderCall(msgspec.Struct, frozen=True):
    method: str
    session_id: str
    detail: str = ""


class FakeMediaProvider:
    """Implements `MediaProvider`. Set `fail_revoke` (all sessions, or a set of ids) to make
    `revoke_endpoints` raise `RevokeFailed` (SES-10)."""

    def __init__(self, profiles: Mapping[str, Profile]) -> None:
        self._profiles = ProfileCatalog(profiles)
        self.calls: list[ProviderCall] = []
        self.sessions: dict[str, Endpoints] = {}
        self.subscriber_profiles: dict[tuple[str, str], str] = {}
        self.fail_revoke: bool | set[str] = False
        # Tile pools: (session, participant) -> what each slot is pointed at now; and the
        # samples `sample_tile_pools` hands out next (a test sets what the SFU "measured").
        self.pools: dict[tuple[str, str], tuple[str | None, ...]] = {}
        self.next_samples: list[TilePoolSample] = []
        # The stills `last_still` hands out: (session, participant) -> a JPEG a test put there.
        self.stills: dict[tuple[str, str], bytes] = {}

    async def create_webrtc_endpoints(
        self, session_id: str, profile_name: str, participants: tuple[Participant, ...]
    ) -> Endpoints:
        self.calls.append(ProviderCall("create_webrtc_endpoints", session_id, profile_name))
        self._profiles.webrtc(profile_name)
        if session_id in self.sessions:
            raise MediaSessionExists(f"media session {session_id} already exists")
        endpoints = tuple(e for participant in participants for e in participant.endpoints())
        created = Endpoints(session_id=session_id, profile_name=profile_name, endpoints=endpoints)
        self.sessions[session_id] = created
        return created

    async def answer(self, offer: SdpOffer) -> SdpAnswer:
        self.calls.append(ProviderCall("answer", offer.session_id, offer.participant_id))
        session = self._session(offer.session_id)
        if not any(
            e.participant_id == offer.participant_id and e.role == offer.role
            for e in session.endpoints
        ):
            raise UnknownEndpoint(f"no {offer.role} endpoint for {offer.participant_id}")
        return SdpAnswer(
            session_id=offer.session_id,
            participant_id=offer.participant_id,
            role=offer.role,
            sdp="v=0\r\n",  # not a usable answer: the fake carries no media
        )

    async def set_subscriber_profile(
        self, session_id: str, participant_id: str, profile_name: str
    ) -> None:
        self.calls.append(ProviderCall("set_subscriber_profile", session_id, profile_name))
        self._profiles.webrtc(profile_name)
        self._session(session_id)
        self.subscriber_profiles[(session_id, participant_id)] = profile_name

    async def open_tile_pool(self, session_id: str, participant_id: str, slots: int) -> Endpoint:
        self.calls.append(ProviderCall("open_tile_pool", session_id, f"{participant_id}/{slots}"))
        session = self._session(session_id)
        self._profiles.tiles(session.profile_name)
        endpoint = Endpoint(participant_id=participant_id, role="subscribe", slots=slots)
        self.sessions[session_id] = msgspec.structs.replace(
            session, endpoints=(*session.endpoints, endpoint)
        )
        self.pools.setdefault((session_id, participant_id), (None,) * slots)
        return endpoint

    async def point_tiles(
        self, session_id: str, participant_id: str, publishers: tuple[str | None, ...]
    ) -> None:
        self.calls.append(ProviderCall("point_tiles", session_id, ",".join(map(str, publishers))))
        if (session_id, participant_id) not in self.pools:
            raise UnknownEndpoint(f"{participant_id} has no tile pool in {session_id}")
        self.pools[(session_id, participant_id)] = publishers

    async def sample_tile_pools(self) -> tuple[TilePoolSample, ...]:
        samples, self.next_samples = tuple(self.next_samples), []
        return samples

    async def check_frames_now(self, participant_id: str) -> None:
        self.calls.append(ProviderCall("check_frames_now", "", participant_id))

    async def last_still(self, session_id: str, participant_id: str) -> bytes | None:
        self.calls.append(ProviderCall("last_still", session_id, participant_id))
        return self.stills.get((session_id, participant_id))

    async def revoke_endpoints(self, session_id: str) -> RevokeReport:
        self.calls.append(ProviderCall("revoke_endpoints", session_id))
        session = self._session(session_id)
        del self.sessions[session_id]
        for key in [key for key in self.pools if key[0] == session_id]:
            del self.pools[key]
        failing = self.fail_revoke
        if failing is True or (isinstance(failing, set) and session_id in failing):
            raise RevokeFailed(f"revoking {session_id} failed (fake)")
        return RevokeReport(session_id=session_id, peer_connections_closed=len(session.endpoints))

    async def create_turn_credentials(self, session_id: str) -> TurnCredentials:
        self.calls.append(ProviderCall("create_turn_credentials", session_id))
        return TurnCredentials(
            urls=("turn:fake.invalid:3478",),
            username=f"0:{session_id}",
            credential="fake",
            ttl_s=0.0,
            expires_at=0,
        )

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def _session(self, session_id: str) -> Endpoints:
        session = self.sessions.get(session_id)
        if session is None:
            raise UnknownMediaSession(f"no media session {session_id}")
        return session
