"""Deployment switches of the local SFU that are not caps (caps live in the config bundle)."""

from __future__ import annotations

import msgspec


class SfuOptions(msgspec.Struct, frozen=True, kw_only=True):
    # Offer 127.0.0.1 as an ICE host candidate: for tests and single-host dev only (see ice.py).
    loopback_candidates: bool = False
    # Offer (and bind) 127.0.0.1 only, no other address: servers under test (`vvtv serve
    # --ice-loopback-only`), which must listen on loopback alone.
    loopback_only: bool = False
    # Encoder threads; None = one per CPU.
    encode_threads: int | None = None
    events_buffer: int = 256  # peer state events kept for a slow consumer, then dropped (counted)
    # Run the engine in a worker process of its own (worker.py: why) rather than on a thread.
    process: bool = False
    statistics_s: float = 0.5  # a worker process reports its statistics this often
