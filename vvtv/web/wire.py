"""`Wire`: one WebSocket's frames as text in and out, whoever carries them: `StreamWire` on its own
TCP stream (`vvtv serve`), `AsgiWire` through ASGI calls (an upgrade on a kept-alive connection,
the test client)."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from typing import Protocol


class Wire(Protocol):
    disconnected: bool  # the peer is gone (or closed): nothing more is read or sent

    async def accept(self, *, compress: bool) -> None:
        """Accept the socket; `compress`: take permessage-deflate if the client offers it."""

    async def receive(self) -> str | bytes | None:
        """The next message (bytes from a binary one); None once the peer is gone."""

    def send_nowait(self, text: str) -> bool:
        """Send `text` without waiting if this wire can (or drop it: nobody to send to); False
        if `send` must. What the transport did not take yet is `unsent`, for `flush`."""

    @property
    def unsent(self) -> bool: ...

    async def flush(self) -> None:
        """Send what `send_nowait` left unsent."""

    async def send(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


SocketServer = Callable[[Wire], Awaitable[bool]]
"""Runs one socket on its wire; returns whether it took the peer's disconnect."""
