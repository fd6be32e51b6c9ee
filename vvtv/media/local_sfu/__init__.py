"""The local SFU on aiortc (MED-3): decode each publisher once, encode each rendition once, hand
the same packets to every subscriber. Open with `open_local_sfu(config, data_dir=...)`."""

from vvtv.media.local_sfu.options import SfuOptions
from vvtv.media.local_sfu.provider import LocalSFU
from vvtv.media.local_sfu.provider import open_local_sfu
from vvtv.media.local_sfu.statistics import SfuStatistics

__all__ = ["LocalSFU", "SfuOptions", "SfuStatistics", "open_local_sfu"]
