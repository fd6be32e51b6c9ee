"""A fake MediaProvider for the orchestrator's tests: no media, every call recorded, failures on
demand. It refuses unknown profiles exactly like the real adapter (SES-11)."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from vvtv.config.schema.media import Profile
from vvtv.media.errors import MediaSessionExists, RevokeFailed, UnknownEndpoint, UnknownMediaSession
from vvtv.media.port import (
    Endpoint,
    Endpoints,
    Participant,
    RevokeReport,
    SdpAnswer,
    SdpOffer,
    TurnCredentials,
)
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

    async def create_webrtc_endpoints(
        self, session_id: str, profile_name: str, participants: tuple[Participant, ...]
    ) -> Endpoints:
        self.calls.append(ProviderCall("create_webrtc_endpoints", session_id, profile_name))
        self._profiles.webrtc(profile_name)
        if session_id in self.sessions:
            raise MediaSessionExists(f"media session {session_id} already exists")
        endpoints: list[Endpoint] = []
        for participant in participants:
            if participant.publishes:
                endpoints.append(
                    Endpoint(participant_id=participant.participant_id, role="publish")
                )
            if participant.subscribes_to:
                endpoints.append(
                    Endpoint(
                        participant_id=participant.participant_id,
                        role="subscribe",
                        publisher_ids=participant.subscribes_to,
                    )
                )
        created = Endpoints(
            session_id=session_id, profile_name=profile_name, endpoints=tuple(endpoints)
        )
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

    async def revoke_endpoints(self, session_id: str) -> RevokeReport:
        self.calls.append(ProviderCall("revoke_endpoints", session_id))
        session = self._session(session_id)
        del self.sessions[session_id]
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
