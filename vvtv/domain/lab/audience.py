"""Who watches the channel (TEL-5's live counts): a device whose player asked what airs within
the last `window_s` is watching. Players ask every `ui.channel_poll_s`, which the window outlasts
(config validation), so a viewer never drops out between two asks; one who left drops out after
the window. Devices are kept in the order they were last seen, so the stale ones are at the front
and pruning stops at the first fresh one: memory holds only the window's devices."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field


@dataclass(slots=True)
class Audience:
    window_s: float
    _last_seen: dict[str, float] = field(default_factory=dict)  # oldest first

    def saw(self, device: str, at: float) -> None:
        self._last_seen.pop(device, None)
        self._last_seen[device] = at
        self._prune(at)

    def count(self, at: float) -> int:
        self._prune(at)
        return len(self._last_seen)

    def _prune(self, at: float) -> None:
        seen = self._last_seen
        while seen:
            oldest = next(iter(seen))
            if at - seen[oldest] < self.window_s:
                break
            del seen[oldest]
