"""The MediaProvider port (MED-1/2): the one way the product touches media, and its messages.

Every message is a frozen msgspec Struct, so a provider can live in a thread today and in a worker
process (msgspec over a pipe) or behind a remote SFU's API later without the orchestrator noticing.
"""

from __future__ import annotations

from typing import Literal
from typing import Protocol

import msgspec

Role = Literal["publish", "subscribe"]


class Participant(msgspec.Struct, frozen=True, kw_only=True):
    """Who takes part in a media session: a publisher sends its camera/mic once; a subscriber
    receives the named publishers (who may publish from another session, e.g. a Party tile)."""

    participant_id: str
    publishes: bool = False
    subscribes_to: tuple[str, ...] = ()

    def endpoints(self) -> tuple[Endpoint, ...]:
        """What a media session gives it: an endpoint to publish on, one to receive on, or both."""
        me = self.participant_id
        given: list[Endpoint] = []
        if self.publishes:
            given.append(Endpoint(participant_id=me, role="publish"))
        if self.subscribes_to:
            given.append(
                Endpoint(participant_id=me, role="subscribe", publisher_ids=self.subscribes_to)
            )
        return tuple(given)


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    """One WebRTC peer connection the client may open: `answer` accepts offers only for these."""

    participant_id: str
    role: Role
    publisher_ids: tuple[str, ...] = ()  # for `subscribe`: whom it receives, in m-line order
    # For a tile pool (`open_tile_pool`): this many video slots, each pointed at a publisher (or
    # none) by `point_tiles` while the connection stays up; `publisher_ids` is then empty.
    slots: int = 0


class Endpoints(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    profile_name: str
    endpoints: tuple[Endpoint, ...]


class SdpOffer(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    participant_id: str
    role: Role
    sdp: str


class SdpAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """A complete answer: ICE gathering has finished, so no candidates trickle afterwards."""

    session_id: str
    participant_id: str
    role: Role
    sdp: str


class TurnCredentials(msgspec.Struct, frozen=True, kw_only=True):
    """TURN REST API credentials (coturn `use-auth-secret`): valid until `expires_at` (unix s)."""

    urls: tuple[str, ...]
    username: str
    credential: str
    ttl_s: float
    expires_at: int


class RevokeReport(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    peer_connections_closed: int


class TilePoolSample(msgspec.Struct, frozen=True, kw_only=True):
    """What the SFU measured of one tile pool since the previous sample (THB-4, THB-6): the
    bytes its senders really sent (a running total), and what its receiver reported back over
    RTCP (receiver reports: packets expected and lost, the worst jitter; REMB if it sends one)."""

    session_id: str
    participant_id: str
    profile_name: str  # the rendition its slots receive now
    connected: bool  # a connection is up, or coming up (ICE/DTLS take a moment; media follow)
    bytes_sent: int  # since the pool opened, across reconnects
    packets_expected: int  # in this sample's window, by the receiver's reports
    packets_lost: int
    jitter_ms: float | None = None  # worst reported in the window; None: no report came
    remb_kbps: float | None = None  # the receiver's latest estimate, if it sends REMB


class FrameChecked(msgspec.Struct, frozen=True, kw_only=True, tag="media.frame_checked"):
    """One frame of a published camera, classified at the SFU (issue 16). The frame itself never
    leaves the SFU unless it scored at or above `media.frame_checks.report_at`: then `still` is
    a JPEG of it for the report, which alone may keep it (TEL-3)."""

    publisher_id: str
    session_id: str  # the session the camera publishes in (a call, or a member's tile session)
    score: float  # 0..1: how likely the frame is explicit
    cpu_s: float  # what checking it cost (the SFU's thread time: scaling and classifying)
    still: bytes | None = None


PeerState = Literal["connected", "failed", "closed"]


class PeerStateChanged(msgspec.Struct, frozen=True, kw_only=True, tag="media.peer_state"):
    """Emitted by a provider when a client's peer connection connects, fails or closes."""

    session_id: str
    participant_id: str
    role: Role
    state: PeerState


class MediaProvider(Protocol):
    """MED-1: the orchestrator's only view of media (MED-2: it never knows what is behind it).

    Every method validates before it acts: an unknown profile raises `UnknownProfile` before any
    endpoint exists (SES-11); a failed teardown raises `RevokeFailed` (SES-10).
    """

    async def create_webrtc_endpoints(
        self, session_id: str, profile_name: str, participants: tuple[Participant, ...]
    ) -> Endpoints: ...

    async def answer(self, offer: SdpOffer) -> SdpAnswer: ...

    async def set_subscriber_profile(
        self, session_id: str, participant_id: str, profile_name: str
    ) -> None:
        """Move a subscriber to another rendition at its next keyframe, without renegotiating
        (THB-4: degrade the layer, don't reconnect)."""
        ...

    async def open_tile_pool(self, session_id: str, participant_id: str, slots: int) -> Endpoint:
        """A subscribe endpoint of `slots` video slots in an existing session (thumbnail profiles
        only, never audio: INV-3), pointed at nobody until `point_tiles`; the client offers for it
        like any subscribe endpoint. Opening it again with the same size returns it."""
        ...

    async def point_tiles(
        self, session_id: str, participant_id: str, publishers: tuple[str | None, ...]
    ) -> None:
        """Slot i receives `publishers[i]`'s rendition from its next keyframe, or nothing (None):
        the same connection, no renegotiation (THB-2, THB-5)."""
        ...

    async def sample_tile_pools(self) -> tuple[TilePoolSample, ...]:
        """Every tile pool's measurements since the previous call (which resets the window)."""
        ...

    async def check_frames_now(self, participant_id: str) -> None:
        """`participant_id` was reported: check their camera's next frame, then densely for
        `media.frame_checks.report_window_s` (issue 16). Nothing happens if they publish none."""
        ...

    async def last_still(self, session_id: str, participant_id: str) -> bytes | None:
        """A JPEG of the last frame checked of `participant_id`'s camera in `session_id`, held
        in the provider's memory only (for a report on them: TEL-3), or None."""
        ...

    async def revoke_endpoints(self, session_id: str) -> RevokeReport: ...

    async def create_turn_credentials(self, session_id: str) -> TurnCredentials: ...
