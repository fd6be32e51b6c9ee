"""VVTV's config pipeline: four YAMLs -> one typed, validated, frozen `ConfigBundle` (CFG-1..6).

Load with `build_runtime_config(config_dir, tier)`; a bad config raises `ConfigError` whose
`problems` each render as `file:line: key.path: message (REQ-ID)`.
"""

from vvtv.config import schema
from vvtv.config.bundle import ConfigBundle
from vvtv.config.bundle import build_runtime_config
from vvtv.config.bundle import validate_config
from vvtv.config.merge import clamp_violations
from vvtv.config.merge import deep_merge
from vvtv.config.problems import ConfigError
from vvtv.config.problems import Problem
from vvtv.config.schema import *  # noqa: F403  (the typed shapes are public here too, as listed there)

__all__ = [
    "ConfigBundle",
    "ConfigError",
    "Problem",
    "build_runtime_config",
    "clamp_violations",
    "deep_merge",
    "validate_config",
    *schema.__all__,
]
