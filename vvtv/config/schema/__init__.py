"""Typed shapes of the four config files; every node is a frozen `ConfigStruct`."""

from vvtv.config.schema.limits import FeatureFlags
from vvtv.config.schema.limits import Limits
from vvtv.config.schema.media import MediaProfiles
from vvtv.config.schema.media import Profile
from vvtv.config.schema.modes import Mode
from vvtv.config.schema.modes import ModeManifests
from vvtv.config.schema.telemetry import EventSpec
from vvtv.config.schema.telemetry import TelemetryEvents

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
