"""Every cross-field and cross-file rule of the config (CFG-4): one module per config file."""

from vvtv.config.validate.modes import (
    TierLocator,
    check_flags_cover_modes,
    check_limits,
    check_media,
    check_modes,
    check_telemetry,
)

__all__ = [
    "TierLocator",
    "check_flags_cover_modes",
    "check_limits",
    "check_media",
    "check_modes",
    "check_telemetry",
]
