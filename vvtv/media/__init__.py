"""Media: the MediaProvider port (MED-1/2) and its adapters — the local SFU, a fake for tests —
plus TURN REST credentials. The orchestrator imports the port and errors from here only."""

from vvtv.media.errors import (
    BadOffer,
    IncompatibleProfile,
    MediaSessionExists,
    MediaUnavailable,
    ProfileNotWebRtc,
    RevokeFailed,
    UnknownEndpoint,
    UnknownMediaSession,
    UnknownProfile,
)
from vvtv.media.port import (
    Endpoint,
    Endpoints,
    MediaProvider,
    Participant,
    PeerStateChanged,
    RevokeReport,
    Role,
    SdpAnswer,
    SdpOffer,
    TilePoolSample,
    TurnCredentials,
)

__all__ = [
    "BadOffer",
    "Endpoint",
    "Endpoints",
    "IncompatibleProfile",
    "MediaProvider",
    "MediaSessionExists",
    "MediaUnavailable",
    "Participant",
    "PeerStateChanged",
    "ProfileNotWebRtc",
    "RevokeFailed",
    "RevokeReport",
    "Role",
    "SdpAnswer",
    "SdpOffer",
    "TilePoolSample",
    "TurnCredentials",
    "UnknownEndpoint",
    "UnknownMediaSession",
    "UnknownProfile",
]
