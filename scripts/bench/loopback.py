"""The product served on loopback for the benchmarks that drive it over /ws from client processes
(chat, presence): the shipped config with cheap password hashing, the app under hypercorn on a
free port, the client processes on their pipes, and the figures the server reads of itself."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import trio
from ws_clients import ClientFailed
from ws_clients import raise_fd_limit


def cheap_hashing(config: Any) -> Any:
    """Argon2 made cheap: accounts are set up by the benchmark, not what it measures
    (scripts/bench/auth measures hashing)."""
    from msgspec.structs import replace

    auth = config.limits.auth
    password = replace(auth.password, hash_time_cost=1, hash_memory_kib=1024, hash_parallelism=1)
    return replace(config, limits=replace(config.limits, auth=replace(auth, password=password)))


class Clients:
    """The client processes, each driven over its pipe: one command, one reply."""

    def __init__(self, conns: list[Connection]) -> None:
        self.conns = conns

    async def rpc(self, index: int, command: str, payload: Any = None) -> Any:
        conn = self.conns[index]

        def call() -> Any:
            conn.send((command, payload))
            return conn.recv()

        reply = await trio.to_thread.run_sync(call)
        if isinstance(reply, ClientFailed):
            raise reply
        return reply

    async def all(self, command: str, payloads: list[Any]) -> list[Any]:
        replies: list[Any] = [None] * len(self.conns)

        async def one(index: int) -> None:
            replies[index] = await self.rpc(index, command, payloads[index])

        async with trio.open_nursery() as nursery:
            for index in range(len(self.conns)):
                nursery.start_soon(one, index)
        return replies


@dataclass
class Served:
    config: Any
    runtime: Any
    services: Any
    clients: Clients
    nursery: trio.Nursery
    open_files: int  # this process's limit


@asynccontextmanager
async def serve_to_clients(
    config: Any,
    client_process: Callable[[Connection, int, int], None],
    processes: int,
    on_listening: Callable[[trio.Nursery], None] = lambda nursery: None,
) -> AsyncIterator[Served]:
    """`vvtv serve`'s app over a fresh data folder on 127.0.0.1, and `processes` client processes
    (`client_process(pipe, port, index)`, spawned) once it listens (after `on_listening`)."""
    from vvtv.app import create_app
    from vvtv.assembly import open_runtime
    from vvtv.server import hypercorn_config
    from vvtv.server import serve_http

    hard = raise_fd_limit()
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as data_dir:
        async with open_runtime(config, Path(data_dir)) as (runtime, services):
            app = create_app(runtime, services)
            hypercorn = hypercorn_config(config, "127.0.0.1:0")
            hypercorn.backlog = 4096  # thousands of clients connect at once
            stop = trio.Event()
            async with trio.open_nursery() as nursery:
                binds = await nursery.start(serve_http, app, hypercorn, config, stop)
                port = int(binds[0].rsplit(":", 1)[1])
                on_listening(nursery)
                pipes = [context.Pipe() for _ in range(processes)]
                started = [
                    context.Process(target=client_process, args=(child, port, n), daemon=True)
                    for n, (_, child) in enumerate(pipes)
                ]
                for process in started:
                    process.start()
                clients = Clients([parent for parent, _ in pipes])
                print(
                    f"server {os.getpid()} on {os.cpu_count()} cores, {binds[0]}; clients in"
                    f" {', '.join(str(p.pid) for p in started)}; open files <= {hard}"
                )
                try:
                    yield Served(config, runtime, services, clients, nursery, hard)
                finally:
                    for process in started:
                        process.terminate()
                        process.join(timeout=10)
                    stop.set()


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run_queue_wait_s() -> float:
    """How long this process's threads were ready to run but waited for a core (the kernel's
    schedstat): on a box shared with other work, what its CPU share leaves out."""
    total = 0
    for task in Path("/proc/self/task").iterdir():
        total += int((task / "schedstat").read_text().split()[1])
    return total / 1e9


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"
