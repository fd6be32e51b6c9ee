"""The one timer a timed actor's rules ask their owner for, as an effect: wake me at a time. The
owner answers with the rules' own `Tick` message when the time comes."""

from __future__ import annotations

from vvtv.domain.values import frozen


@frozen
class WakeAt:
    """Send the rules a `Tick` at `at` (replacing any earlier request); None: no timer at all."""

    at: float | None
