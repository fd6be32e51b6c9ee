"""Restart intensity (as in OTP): at most `max_restarts` crashes within `window_s`; one more and
the supervisor gives up. Shared by actors and services, counted on trio's clock."""

from __future__ import annotations

from collections import deque


class RestartIntensity:
    __slots__ = ("_crashes", "max_restarts", "window_s")

    def __init__(self, max_restarts: int, window_s: float) -> None:
        self.max_restarts = max_restarts
        self.window_s = window_s
        self._crashes: deque[float] = deque()

    def crashed(self, at: float) -> None:
        self._crashes.append(at)

    def exceeded(self, now: float) -> bool:
        """More crashes within the window ending `now` than restarts allowed."""
        horizon = now - self.window_s
        while self._crashes and self._crashes[0] <= horizon:
            self._crashes.popleft()
        return len(self._crashes) > self.max_restarts
