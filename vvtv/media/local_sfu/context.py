"""What the engine builds once and hands every publisher: the SFU's limits, the executor that
encodes, the running totals and the frame checks (if config has them on)."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

from vvtv.config.schema.limits import SfuLimits
from vvtv.media.local_sfu.counters import SfuCounters
from vvtv.media.local_sfu.frame_sampler import FrameSampler


@dataclass(frozen=True, slots=True, eq=False)
class SfuContext:
    limits: SfuLimits
    executor: Executor
    counters: SfuCounters
    sampler: FrameSampler | None = None  # frame checks of every published camera (issue 16)
