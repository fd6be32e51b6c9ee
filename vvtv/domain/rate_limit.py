"""Sliding-window rate limits as pure functions: the state is the tuple of recent hit times.

Used for login attempts now, chat and skips later (ARC-3: one rate-limiting primitive).
"""

from __future__ import annotations

from vvtv.domain.values import frozen


@frozen
class Limit:
    max_hits: int
    window_s: float


def prune(hits: tuple[float, ...], now: float, limit: Limit) -> tuple[float, ...]:
    """Hits still inside the window ending at `now`."""
    return tuple(t for t in hits if now - t < limit.window_s)


def retry_after(hits: tuple[float, ...], now: float, limit: Limit) -> float | None:
    """Seconds until one more hit is allowed, or None when it is allowed now."""
    recent = prune(hits, now, limit)
    if len(recent) < limit.max_hits:
        return None
    # The oldest hit that keeps the window full must leave it first.
    return recent[-limit.max_hits] + limit.window_s - now


def record(hits: tuple[float, ...], now: float, limit: Limit) -> tuple[float, ...]:
    return (*prune(hits, now, limit), now)


def forget(hits: tuple[float, ...], at: float) -> tuple[float, ...]:
    """Take back one hit recorded at `at` (an attempt reserved, then withdrawn or vindicated)."""
    if at not in hits:
        return hits
    index = hits.index(at)
    return hits[:index] + hits[index + 1 :]
