"""The whole product in-process with the real SFU, its real classifier and aiortc clients that
publish the frame checks' test pictures: the tiles' world (its fixtures, reused as they are)."""

from tests.service.tiles.conftest import live
from tests.service.tiles.conftest import tiles_config
from tests.service.tiles.conftest import world

__all__ = ["live", "tiles_config", "world"]
