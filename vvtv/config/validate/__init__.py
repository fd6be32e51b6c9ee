"""Every cross-field and cross-file rule of the config (CFG-4), each naming its requirement.

One module per config file, as in `vvtv.config.schema`; a check lives with the file its problems
point into, and takes the other files it references as arguments. The checks read typed Structs
and report through a `Locator` (`locator`), which turns a key path into `file:line`.
"""

from vvtv.config.validate.limits import check_ladder_modes
from vvtv.config.validate.limits import check_limits
from vvtv.config.validate.locator import Locator
from vvtv.config.validate.locator import SkinLocator
from vvtv.config.validate.locator import TierLocator
from vvtv.config.validate.media import check_media
from vvtv.config.validate.modes import check_flags_cover_modes
from vvtv.config.validate.modes import check_modes
from vvtv.config.validate.skins import check_skins
from vvtv.config.validate.telemetry import check_telemetry

__all__ = [
    "Locator",
    "SkinLocator",
    "TierLocator",
    "check_flags_cover_modes",
    "check_ladder_modes",
    "check_limits",
    "check_media",
    "check_modes",
    "check_skins",
    "check_telemetry",
]
