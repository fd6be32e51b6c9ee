"""The chat benchmark's WebSocket clients: trio in their own processes, driven over a pipe by
scripts/bench/chat. wsproto opens each socket and frames what it sends; what it receives is cut
into frames by hand (the server's frames are unmasked and whole), so that reading 100,000
messages a second costs the clients as little as it can in Python."""

from __future__ import annotations

import json
import math
import re
import time
from multiprocessing.connection import Connection
from typing import Any

import trio
from ws_clients import SignedInSocket
from ws_clients import SocketClient
from ws_clients import serve_commands
from wsproto import WSConnection
from wsproto.events import Message

STAMP = re.compile(rb'"seq":(\d+).*?"body":"t=([0-9.]+) ')
# Latencies go into log buckets 1 % wide from 0.1 ms: merged across processes, read as percentiles.
BUCKET_BASE_MS = 0.1
BUCKET_RATIO = 1.01


def bucket(latency_s: float) -> int:
    return max(
        0, int(math.log(max(latency_s * 1000, BUCKET_BASE_MS) / BUCKET_BASE_MS, BUCKET_RATIO))
    )


def bucket_ms(index: int) -> float:
    return BUCKET_BASE_MS * BUCKET_RATIO ** (index + 0.5)


class Ws(SignedInSocket):
    """One client socket: sends JSON through wsproto, reads frames itself."""

    __slots__ = ("buffer",)

    def __init__(self, stream: trio.SocketStream, conn: WSConnection) -> None:
        super().__init__(stream, conn)
        self.buffer = bytearray()

    async def send(self, message: dict[str, Any]) -> None:
        await self.stream.send_all(self.conn.send(Message(data=json.dumps(message))))

    async def frames(self) -> list[bytes]:
        """The text frames that are whole in what has arrived, at least one."""
        while True:
            found = self._cut()
            if found:
                return found
            data = await self.stream.receive_some(1 << 18)
            if not data:
                raise EOFError("connection lost")
            self.buffer += data

    async def receive(self) -> bytes:
        frames = await self.frames()
        first, rest = frames[0], frames[1:]
        if rest:
            raise RuntimeError("one frame expected")
        return first

    def _cut(self) -> list[bytes]:
        buffer, at, found = self.buffer, 0, []
        size = len(buffer)
        while size - at >= 2:
            opcode, length, header = buffer[at] & 0x0F, buffer[at + 1] & 0x7F, 2
            if length == 126:
                if size - at < 4:
                    break
                length, header = int.from_bytes(buffer[at + 2 : at + 4], "big"), 4
            elif length == 127:
                if size - at < 10:
                    break
                length, header = int.from_bytes(buffer[at + 2 : at + 10], "big"), 10
            if size - at < header + length:
                break
            if opcode == 0x8:
                code = int.from_bytes(buffer[at + header : at + header + 2], "big") if length else 0
                raise EOFError(f"closed {code}")
            if opcode == 0x1:
                found.append(bytes(buffer[at + header : at + header + length]))
            at += header + length
        del buffer[:at]
        return found


class Client(SocketClient[Ws]):
    def __init__(self, port: int, index: int) -> None:
        super().__init__(port, index, Ws.open)
        self.reset()

    def reset(self) -> None:
        self.buckets: dict[int, int] = {}
        self.received = 0
        self.duplicates = 0
        self.gaps = 0
        self.closed: dict[str, int] = {}
        self.sent = 0
        self.limited = 0
        self.errors: dict[str, int] = {}
        self.recording = False
        self.cpu0, self.wall0 = time.process_time(), time.monotonic()

    async def subscribe(self, thread_id: str, concurrency: int, nursery: trio.Nursery) -> int:
        """Subscribe every socket (a heartbeat's ack says the subscribe was handled), then read."""
        limiter = trio.CapacityLimiter(concurrency)
        done = 0

        async def one(key: int, ws: Ws) -> None:
            nonlocal done
            async with limiter:
                await ws.send({"type": "chat.subscribe", "thread_id": thread_id, "after_seq": 0})
                await ws.send({"type": "heartbeat"})
                pending: list[bytes] = []
                while not any(b'"heartbeat.ack"' in f for f in pending):
                    pending += await ws.frames()
                done += 1
            nursery.start_soon(self._read, key, ws)

        async with trio.open_nursery() as subscribing:
            for key, ws in self.sockets.items():
                subscribing.start_soon(one, key, ws)
        return done

    async def _read(self, key: int, ws: Ws) -> None:
        last = 0
        try:
            while True:
                frames = await ws.frames()
                now = time.monotonic()
                for frame in frames:
                    found = STAMP.search(frame)
                    if found is None:
                        if b'"chat.rate_limited"' in frame:
                            self.limited += 1
                        elif b'"error"' in frame[:40]:
                            code = re.search(rb'"code":"([a-z_]+)"', frame)
                            name = code.group(1).decode() if code else frame[:60].decode()
                            self.errors[name] = self.errors.get(name, 0) + 1
                        continue
                    seq = int(found.group(1))
                    if seq <= last:
                        self.duplicates += 1
                        continue
                    if last and seq > last + 1:
                        self.gaps += seq - last - 1
                    last = seq
                    if self.recording:
                        self.received += 1
                        index = bucket(now - float(found.group(2)))
                        self.buckets[index] = self.buckets.get(index, 0) + 1
        except EOFError as closed:
            reason = str(closed)
            self.closed[reason] = self.closed.get(reason, 0) + 1

    async def send_at_rate(
        self, keys: list[int], thread_id: str, every_s: float, seconds: float
    ) -> None:
        """Each sender once per `every_s`, the senders spread evenly over it, for `seconds`."""
        if not keys:
            return
        start = trio.current_time()
        gap = every_s / len(keys)
        rounds = int(seconds / every_s)
        for r in range(rounds):
            for n, key in enumerate(keys):
                await trio.sleep_until(start + r * every_s + n * gap)  # on schedule when behind
                body = f"t={time.monotonic():.6f} from {key} #{r}"
                message = {"type": "chat.send", "thread_id": thread_id, "body": body}
                try:
                    await self.sockets[key].send({**message, "client_id": f"{key}-{r}"})
                    self.sent += 1
                except (OSError, trio.BrokenResourceError):
                    pass  # a socket the server closed: counted by its reader

    def report(self) -> dict[str, Any]:
        return {
            "buckets": self.buckets,
            "received": self.received,
            "duplicates": self.duplicates,
            "gaps": self.gaps,
            "closed": self.closed,
            "sent": self.sent,
            "limited": self.limited,
            "errors": self.errors,
            "cpu": (time.process_time() - self.cpu0) / (time.monotonic() - self.wall0),
        }

    async def command(self, command: str, payload: Any, nursery: trio.Nursery) -> Any:
        if command == "open":
            return await self.open_many(payload["tokens"], payload["concurrency"])
        if command == "subscribe":
            return await self.subscribe(payload["thread_id"], payload["concurrency"], nursery)
        if command == "record":
            self.reset()
            self.recording = True
            return None
        if command == "send":
            await self.send_at_rate(
                payload["keys"], payload["thread_id"], payload["every_s"], payload["seconds"]
            )
            return None
        if command == "report":
            await trio.sleep(payload["drain_s"])
            self.recording = False
            return self.report()
        raise ValueError(command)


def client_process(conn: Connection, port: int, index: int) -> None:
    serve_commands(conn, lambda: Client(port, index).command)
