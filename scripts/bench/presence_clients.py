"""The presence benchmark's WebSocket clients: trio + wsproto in their own processes, driven
over a pipe by scripts/bench/presence (one process may hold at most `ulimit -n` sockets)."""

from __future__ import annotations

import json
import random
import re
import socket
import struct
import time
from multiprocessing.connection import Connection
from typing import Any

import trio
from ws_clients import SignedInSocket
from ws_clients import SocketClient
from ws_clients import serve_commands
from wsproto import WSConnection
from wsproto.events import CloseConnection
from wsproto.events import Message
from wsproto.events import Ping

PROBE_EVERY_S = 0.5
# Linux's SO_TIMESTAMPNS (not in Python's socket module): recvmsg then says, beside the bytes,
# when the kernel received the last of them (CLOCK_REALTIME, a struct timespec).
SO_TIMESTAMPNS = 35
TIMESPEC = struct.Struct("qq")
PROBE = re.compile(r"probe-(\d+)")


class Ws(SignedInSocket):
    """One client WebSocket: sends JSON, receives text, nothing more."""

    __slots__ = ("buffer", "delivered", "sending")

    def __init__(self, stream: trio.SocketStream, conn: WSConnection) -> None:
        super().__init__(stream, conn)
        self.buffer: list[str] = []
        self.delivered = 0.0  # when the kernel received its last bytes, on time.monotonic()
        stream.socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sending = trio.StrictFIFOLock()  # heartbeats, churn and the probe share a socket

    async def send(self, message: dict[str, Any]) -> None:
        async with self.sending:
            await self.stream.send_all(self.conn.send(Message(data=json.dumps(message))))

    async def receive(self) -> str:
        while not self.buffer:
            for event in await self._read():
                if isinstance(event, Message):
                    self.buffer.append(str(event.data))
                elif isinstance(event, CloseConnection):
                    raise EOFError(f"closed {event.code}")
        return self.buffer.pop(0)

    async def _read(self) -> list[Any]:
        data, ancillary, _, _ = await self.stream.socket.recvmsg(1 << 16, 64)
        for level, kind, value in ancillary:
            if (level, kind) == (socket.SOL_SOCKET, SO_TIMESTAMPNS):
                seconds, nanoseconds = TIMESPEC.unpack(value[: TIMESPEC.size])
                self.delivered = seconds + nanoseconds / 1e9 + time.monotonic() - time.time()
        if not data:
            raise EOFError("connection lost")
        self.conn.receive_data(data)
        events = list(self.conn.events())
        for event in events:
            if isinstance(event, Ping):
                await self.stream.send_all(self.conn.send(event.response()))
        return events


class Client(SocketClient[Ws]):
    def __init__(self, port: int, index: int) -> None:
        super().__init__(port, index, Ws.open)
        self.receipts: dict[int, dict[int, float]] = {}  # watcher -> probe seq -> first seen
        self.deliveries: dict[int, dict[int, float]] = {}  # ... -> in its socket, by the kernel
        self.sent: dict[int, float] = {}  # probe seq -> when it was set
        self.errors: dict[str, int] = {}  # error code -> how many
        self.churned = 0

    def error(self, text: str) -> None:
        found = re.search(r'"code":"([a-z_]+)"', text)
        code = found.group(1) if found else text[:60]
        self.errors[code] = self.errors.get(code, 0) + 1

    async def set_presence(self, keys: list[int], per_s: float, fields: dict[str, Any]) -> None:
        for n, key in enumerate(keys):
            await self.sockets[key].send({"type": "presence.set", "fields": fields})
            if (n + 1) % 100 == 0:
                await trio.sleep(100 / per_s)

    async def watch(self, keys: list[int], every_s: float, nursery: trio.Nursery) -> None:
        for key in keys:
            ws = self.sockets[key]
            await ws.send({"type": "presence.subscribe", "query": {"ecosystem": "party"}})
            reply = await ws.receive()
            if '"presence.snapshot"' not in reply:
                self.error(reply)
            self.receipts[key] = {}
            self.deliveries[key] = {}
            nursery.start_soon(self._read_updates, key, ws)
            nursery.start_soon(self._keep_alive, ws, every_s)

    @staticmethod
    async def _keep_alive(ws: Ws, every_s: float) -> None:
        """Heartbeat from the subscribe on (a watcher's updates are read by `_read_updates`)."""
        while True:
            await trio.sleep(every_s)
            await ws.send({"type": "presence.heartbeat"})

    async def _read_updates(self, key: int, ws: Ws) -> None:
        seen = self.receipts[key]
        delivered = self.deliveries[key]
        last = max(seen, default=0)
        while True:
            text = await ws.receive()
            now = time.monotonic()
            if '"error"' in text[:40]:
                self.error(text)
                continue
            found = PROBE.search(text)
            if found is not None:
                seq = int(found.group(1))
                for earlier in range(last + 1, seq + 1):
                    seen[earlier] = now
                    delivered[earlier] = ws.delivered
                last = max(last, seq)

    async def drain(self, key: int) -> None:
        """Read what a member's socket is sent (errors only, normally) and count the errors."""
        ws = self.sockets[key]
        while True:
            text = await ws.receive()
            if '"error"' in text[:40]:
                self.error(text)

    async def heartbeat(self, keys: list[int], every_s: float) -> None:
        """Each socket once per `every_s`, spread evenly."""
        if not keys:
            return
        gap = every_s / len(keys)
        start = trio.current_time()
        while True:
            for n, key in enumerate(keys):
                await trio.sleep_until(start + n * gap)  # on schedule, even when behind
                await self.sockets[key].send({"type": "presence.heartbeat"})
            start += every_s

    async def churn(self, present: list[int], per_s: float, seconds: float) -> None:
        """Alternate a leave of someone present and a join of someone absent, `per_s` in all."""
        present, absent = list(present), []
        gap = 1 / per_s
        start = trio.current_time()
        leaving = True
        for n in range(int(seconds * per_s)):
            await trio.sleep_until(start + n * gap)  # on schedule, even when behind
            if leaving and present:
                key = present.pop(random.randrange(len(present)))
                await self.sockets[key].send({"type": "presence.leave", "ecosystem": "party"})
                absent.append(key)
            elif absent:
                key = absent.pop(random.randrange(len(absent)))
                fields = {"presence_mode": "party"}
                await self.sockets[key].send({"type": "presence.set", "fields": fields})
                present.append(key)
            self.churned += 1
            leaving = not leaving

    async def probe(self, key: int, every_s: float, seconds: float) -> None:
        for seq in range(1, int(seconds / every_s) + 1):
            self.sent[seq] = time.monotonic()
            fields = {"presence_mode": "party", "tags": [f"probe-{seq}"]}
            await self.sockets[key].send({"type": "presence.set", "fields": fields})
            await trio.sleep(every_s)

    async def run(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Churn and probe for `seconds`, then give the last updates time to arrive."""
        cpu0, wall0 = time.process_time(), time.monotonic()
        async with trio.open_nursery() as running:
            if payload["present"]:
                running.start_soon(
                    self.churn, payload["present"], payload["per_s"], payload["seconds"]
                )
            if payload["probe"] is not None:
                running.start_soon(self.probe, payload["probe"], PROBE_EVERY_S, payload["seconds"])
        cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0)
        await trio.sleep(2)
        return {"sent": self.sent, "churned": self.churned, "errors": self.errors, "cpu": cpu}

    async def command(self, command: str, payload: Any, nursery: trio.Nursery) -> Any:
        if command == "open":
            return await self.open_many(payload["tokens"], payload["concurrency"])
        if command == "set":
            await self.set_presence(payload["keys"], payload["per_s"], payload["fields"])
            return None
        if command == "watch":
            await self.watch(payload["keys"], payload["every_s"], nursery)
            return {"errors": self.errors}
        if command == "beat":
            for key in payload["drain"]:
                nursery.start_soon(self.drain, key)
            nursery.start_soon(self.heartbeat, payload["keys"], payload["every_s"])
            return None
        if command == "run":
            return await self.run(payload)
        if command == "receipts":
            return {"read": self.receipts, "delivered": self.deliveries}
        raise ValueError(command)


def client_process(conn: Connection, port: int, index: int) -> None:
    serve_commands(conn, lambda: Client(port, index).command)
