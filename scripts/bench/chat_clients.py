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
from presence_clients import ClientFailed, raise_fd_limit
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Message, Request

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


class Ws:
    """One client socket: sends JSON through wsproto, reads frames itself."""

    __slots__ = ("buffer", "conn", "stream")

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.conn = WSConnection(ConnectionType.CLIENT)
        self.buffer = bytearray()

    @classmethod
    async def open(cls, port: int, source: str, token: str) -> Ws:
        sock = trio.socket.socket()
        await sock.bind((source, 0))
        await sock.connect(("127.0.0.1", port))
        ws = cls(trio.SocketStream(sock))
        await ws.stream.send_all(ws.conn.send(Request(host="127.0.0.1", target="/ws")))
        accepted = False
        while not accepted:
            data = await ws.stream.receive_some(1 << 16)
            if not data:
                raise EOFError("connection lost")
            ws.conn.receive_data(data)
            # The server says nothing more before `auth`: no frame can follow the handshake here.
            for event in ws.conn.events():
                accepted = accepted or isinstance(event, AcceptConnection)
        await ws.send({"type": "auth", "access_token": token})
        hello = await ws.receive()
        if b'"auth.ok"' not in hello:
            raise RuntimeError(hello[:200])
        return ws

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


class Client:
    def __init__(self, port: int, index: int) -> None:
        self.port = port
        self.source = f"127.0.0.{2 + index}"  # each process its own source address: ports enough
        self.sockets: dict[int, Ws] = {}
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

    async def open_many(self, tokens: dict[int, str], concurrency: int) -> dict[str, Any]:
        limiter = trio.CapacityLimiter(concurrency)
        failures: list[str] = []

        async def one(key: int, token: str) -> None:
            async with limiter:
                try:
                    self.sockets[key] = await Ws.open(self.port, self.source, token)
                except (OSError, EOFError, RuntimeError) as error:
                    failures.append(repr(error))

        async with trio.open_nursery() as nursery:
            for key, token in tokens.items():
                nursery.start_soon(one, key, token)
        return {"opened": len(self.sockets), "failures": len(failures), "first": failures[:3]}

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


async def _client_main(conn: Connection, port: int, index: int) -> None:
    raise_fd_limit()
    client = Client(port, index)

    def recv() -> Any:
        return conn.recv()

    async with trio.open_nursery() as nursery:
        while True:
            command, payload = await trio.to_thread.run_sync(recv)
            if command == "open":
                reply: Any = await client.open_many(payload["tokens"], payload["concurrency"])
            elif command == "subscribe":
                reply = await client.subscribe(
                    payload["thread_id"], payload["concurrency"], nursery
                )
            elif command == "record":
                client.reset()
                client.recording = True
                reply = None
            elif command == "send":
                await client.send_at_rate(
                    payload["keys"], payload["thread_id"], payload["every_s"], payload["seconds"]
                )
                reply = None
            elif command == "report":
                await trio.sleep(payload["drain_s"])
                client.recording = False
                reply = client.report()
            else:
                raise ValueError(command)
            conn.send(reply)


def client_process(conn: Connection, port: int, index: int) -> None:
    try:
        trio.run(_client_main, conn, port, index)
    except BaseException as error:
        conn.send(ClientFailed(repr(error)))  # the server stops instead of waiting for ever
        raise
