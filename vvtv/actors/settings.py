"""The actor kernel's settings: one frozen value mapped from config; the kernel reads no files."""

from __future__ import annotations

import msgspec


class ActorSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Mailbox bound, ask timeout, passivation delay, restart intensity (as in OTP)."""

    mailbox_size: int
    ask_timeout_s: float
    idle_passivate_s: float
    max_restarts: int
    restart_window_s: float

    def __post_init__(self) -> None:
        # msgspec checks constraints only when decoding; direct construction is checked here.
        if self.mailbox_size < 1:
            raise ValueError("mailbox_size must be at least 1")
        if self.ask_timeout_s <= 0 or self.idle_passivate_s <= 0 or self.restart_window_s <= 0:
            raise ValueError(
                "ask_timeout_s, idle_passivate_s and restart_window_s must be positive"
            )
        if self.max_restarts < 0:
            raise ValueError("max_restarts must not be negative")
