"""The media layer's typed failures: what the orchestrator can tell apart and act on."""

from __future__ import annotations

from vvtv.errors import BadRequest
from vvtv.errors import Conflict
from vvtv.errors import NotFound
from vvtv.errors import Unavailable
from vvtv.errors import VvtvError


class UnknownProfile(BadRequest):
    """The session names a media profile the config lacks (SES-11); nothing was created."""

    code = "unknown_profile"


class ProfileNotWebRtc(BadRequest):
    """The profile exists but is not delivered over WebRTC (e.g. `mirror_local`, the HLS ladder)."""

    code = "profile_not_webrtc"


class IncompatibleProfile(BadRequest):
    """A subscriber may only switch between renditions of the same kind (thumb ↔ thumb)."""

    code = "incompatible_profile"


class MediaSessionExists(Conflict):
    code = "media_session_exists"


class UnknownMediaSession(NotFound):
    code = "unknown_media_session"


class UnknownEndpoint(NotFound):
    """No endpoint of this (participant, role) exists in the session: signalling is refused."""

    code = "unknown_endpoint"


class BadOffer(BadRequest):
    """The SDP offer cannot be answered (malformed, or lacks the codec the profile needs)."""

    code = "bad_offer"


class MediaUnavailable(Unavailable):
    """The media provider cannot take this now (at capacity, shutting down, timed out)."""

    code = "media_unavailable"


class RevokeFailed(VvtvError):
    """Some endpoints of the session could not be torn down: the session becomes `failed` and the
    operator is alerted (SES-10). The provider has dropped its records either way."""

    status = 502
    code = "revoke_failed"
