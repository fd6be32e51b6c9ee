"""Typed shapes of the four config files; every node is a frozen `ConfigStruct`."""

from vvtv.config.schema.limits import FeatureFlags, Limits
from vvtv.config.schema.media import MediaProfiles, Profile
from vvtv.config.schema.modes import Mode, ModeManifests
from vvtv.config.schema.telemetry import EventSpec, TelemetryEvents

__all__ = [
    "EventSpec",
    "FeatureFlags",
    "Limits",
    "MediaProfiles",
    "Mode",
    "ModeManifests",
    "Profile",
    "TelemetryEvents",
]
