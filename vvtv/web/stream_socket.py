"""`StreamWire`: a WebSocket served straight on its TCP stream (trio + wsproto), one task a socket.

The listener takes a `/ws` upgrade before hypercorn sees the connection (`listener.py`). Under
hypercorn's ASGI an idle socket held two tasks, a task group, a memory channel, a lock and
hypercorn's protocol objects; and each event went out through its own writer task, wsproto's
encoder, hypercorn's send lock and a shielded scope. Here an idle socket is its task, its stream
and wsproto's frame parser. An event goes out at once (a non-blocking write of the frame) while
the kernel takes it whole; only what it cannot take waits, for a writer task. One frame encodes an
event for every socket it goes to (a server's frames are not masked, so they are the same bytes).
"""

from __future__ import annotations

import os
from typing import Final

import trio
from wsproto.connection import Connection
from wsproto.connection import ConnectionState
from wsproto.connection import ConnectionType
from wsproto.events import AcceptConnection
from wsproto.events import CloseConnection
from wsproto.events import Message
from wsproto.events import Ping
from wsproto.events import Request
from wsproto.events import TextMessage
from wsproto.extensions import Extension
from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import CloseReason
from wsproto.frame_protocol import FrameProtocol
from wsproto.handshake import H11Handshake
from wsproto.utilities import ProtocolError

# How much one read may take: what is read is a message's frames, bounded by `max_message_bytes`.
_READ_BYTES: Final = 2**16
_TRANSPORT_ERRORS = (trio.BrokenResourceError, trio.ClosedResourceError, OSError)
# Frames without extensions carry no state of their connection: one framer serves every socket.
_FRAMER: Final = FrameProtocol(client=False, extensions=[])


class _Framed:
    """The last text framed, by identity: an event pushed to many sockets in a row is one text."""

    text: str | None = None
    frame: bytes = b""


def _framed(text: str) -> bytes:
    if _Framed.text is not text:
        _Framed.frame = bytes(_FRAMER.send_data(text))
        _Framed.text = text
    return _Framed.frame


def upgrade_request(head: bytes) -> tuple[H11Handshake, str] | None:
    """The WebSocket handshake `head` (what a connection sent first) begins and the path it asks
    for, or None if it is not one wsproto accepts (hypercorn then answers it as any other
    request)."""
    handshake = H11Handshake(ConnectionType.SERVER)
    try:
        handshake.receive_data(head)
        events = list(handshake.events())
    except ProtocolError:
        return None
    if len(events) != 1 or not isinstance(events[0], Request):
        return None
    return handshake, events[0].target.split("?", 1)[0]


class StreamWire:
    """A socket's frames as text in and out, on its own TCP stream."""

    __slots__ = (
        "_compress",
        "_fd",
        "_handshake",
        "_lock",
        "_max_message_bytes",
        "_stream",
        "_unsent",
        "_ws",
        "disconnected",
    )

    def __init__(
        self, stream: trio.SocketStream, handshake: H11Handshake, max_message_bytes: int
    ) -> None:
        self._stream = stream
        self._fd = stream.socket.fileno()
        self._handshake: H11Handshake | None = handshake
        self._ws: Connection | None = None
        self._max_message_bytes = max_message_bytes
        self._compress = False
        self._unsent: bytes | None = None  # the rest of a frame the kernel took only part of
        self._lock: trio.Lock | None = None  # made at the first write that has to wait
        self.disconnected = False

    async def accept(self, *, compress: bool) -> None:
        """Answer the handshake; `compress`: take permessage-deflate if the client offers it."""
        handshake, self._handshake = self._handshake, None
        assert handshake is not None, "accepted twice"
        self._compress = compress
        extensions: list[Extension] = [PerMessageDeflate()] if compress else []
        await self._write(handshake.send(AcceptConnection(extensions=extensions)))
        self._ws = handshake.connection

    async def receive(self) -> str | bytes | None:
        """The next message (text, or bytes from binary frames); None once the peer is gone."""
        ws = self._ws
        assert ws is not None, "not accepted"
        texts: list[str] = []
        chunks: list[bytes] = []  # a message arrives in as many parts as it took reads
        size = 0
        while not self.disconnected:
            for event in ws.events():
                if isinstance(event, Message):
                    if isinstance(event, TextMessage):
                        texts.append(event.data)
                    else:
                        chunks.append(bytes(event.data))
                    size += len(event.data)
                    if size > self._max_message_bytes:
                        await self.close(CloseReason.MESSAGE_TOO_BIG, "message too big")
                        self.disconnected = True
                        return None
                    if event.message_finished:
                        return "".join(texts) if texts else b"".join(chunks)
                elif isinstance(event, Ping):
                    await self._write(ws.send(event.response()))
                elif isinstance(event, CloseConnection):
                    # The peer's close (or wsproto's, for a frame that broke the protocol):
                    # answered unless it answers ours.
                    if ws.state is ConnectionState.REMOTE_CLOSING:
                        await self._write(ws.send(event.response()))
                    self.disconnected = True
                    return None
            try:
                data = await self._stream.receive_some(_READ_BYTES)
            except _TRANSPORT_ERRORS:
                data = b""
            if not data:
                self.disconnected = True
                return None
            ws.receive_data(data)
        return None

    def send_nowait(self, text: str) -> bool:
        """Send `text` now, without waiting: False if it cannot be (a write is waiting), and
        `send` must. What the kernel does not take at once is kept for `flush` (`unsent`)."""
        if self.disconnected:
            return True  # nobody to send to
        if self._unsent is not None or (self._lock is not None and self._lock.locked()):
            return False
        frame = self._frame(text)
        try:
            # The stream's socket is non-blocking: this takes what fits in its send buffer.
            written = os.write(self._fd, frame)
        except BlockingIOError:
            written = 0
        except OSError:
            self.disconnected = True
            return True
        if written < len(frame):
            self._unsent = frame[written:]
        return True

    @property
    def unsent(self) -> bool:
        return self._unsent is not None

    async def flush(self) -> None:
        """Send what `send_nowait` could not."""
        if self._unsent is not None:
            await self._write(b"")

    async def send(self, text: str) -> None:
        if not self.disconnected:
            await self._write(self._frame(text))

    async def close(self, code: int, reason: str) -> None:
        ws = self._ws
        if not self.disconnected and ws is not None and ws.state is ConnectionState.OPEN:
            await self._write(ws.send(CloseConnection(code=code, reason=reason)))

    def closed(self) -> None:
        """The stream is closing: nothing may be written to its file descriptor any more (its
        number goes to the next connection)."""
        self.disconnected = True

    def _frame(self, text: str) -> bytes:
        if self._compress and self._ws is not None:
            return self._ws.send(TextMessage(data=text))
        return _framed(text)

    async def _write(self, data: bytes) -> None:
        if self._lock is None:
            self._lock = trio.Lock()
        async with self._lock:
            try:
                if self._unsent is not None:
                    unsent, self._unsent = self._unsent, None
                    await self._stream.send_all(unsent)
                if data:
                    await self._stream.send_all(data)
            except _TRANSPORT_ERRORS:
                self.disconnected = True
