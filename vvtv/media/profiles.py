"""Resolving a session's profile name to its caps (MED-3), refusing unknown names (SES-11)."""

from __future__ import annotations

from collections.abc import Mapping

from vvtv.config.schema.media import Profile
from vvtv.media.errors import IncompatibleProfile
from vvtv.media.errors import ProfileNotWebRtc
from vvtv.media.errors import UnknownProfile


class ProfileCatalog:
    """The media profiles of the config bundle, read-only (safe to share between threads)."""

    def __init__(self, profiles: Mapping[str, Profile]) -> None:
        self._profiles = profiles

    def webrtc(self, name: str) -> Profile:
        """The named profile if it is delivered over WebRTC; a typed error otherwise."""
        profile = self._profiles.get(name)
        if profile is None:
            raise UnknownProfile(f"unknown media profile {name!r}", path=name)
        if profile.transport != "webrtc":
            raise ProfileNotWebRtc(
                f"media profile {name!r} is delivered over {profile.transport}, not WebRTC"
            )
        return profile

    def tiles(self, name: str) -> Profile:
        """The named profile if a tile pool may carry it: thumbnails, never audio (INV-3)."""
        profile = self.webrtc(name)
        if profile.kind != "thumbnail" or profile.audio_enabled:
            raise IncompatibleProfile(
                f"tile pools carry thumbnails only, never audio (INV-3): {name} is a "
                f"{profile.kind} profile"
            )
        return profile
