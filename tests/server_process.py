"""Start and stop a real `vvtv serve` subprocess for end-to-end tests."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    process: subprocess.Popen[str]
    port: int
    data_dir: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=5)

    def udp_addresses(self) -> set[str]:
        """The IPv4/IPv6 addresses the server's UDP sockets are bound to (its media: ICE), its
        worker processes' included: read from /proc, as `ss -uanp` would show them."""
        pids = _descendants(self.process.pid)
        inodes = set()
        for pid in pids:
            with contextlib.suppress(OSError):  # a worker may exit while it is looked at
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
        addresses = set()
        for table in ("udp", "udp6"):
            for line in Path(f"/proc/{self.process.pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[9] in inodes:
                    addresses.add(_address(fields[1].split(":")[0]))
        return addresses

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _descendants(pid: int) -> set[int]:
    """`pid` and every process below it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # The name in parentheses may hold spaces: the parent's pid is after its closing one.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        found.add(current := todo.pop())
        todo.extend(children.get(current, []))
    return found


def _address(hex_address: str) -> str:
    """/proc/net/udp's address column: the bytes of the address in host (little-endian) words."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def tweaked_config(tmp_path: Path, **limits: str | int) -> Path:
    """A copy of the shipped config with base leaves of cost-tiers.yaml rewritten (the first
    `key: value` line of each key, its comment kept): e.g. a cheap argon2 for tests that sign up
    many users (the auth benchmark measures the real cost), one reserve clip instead of several."""
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    tiers = config / "cost-tiers.yaml"
    text = tiers.read_text()
    for key, value in limits.items():
        text, found = re.subn(
            rf"(\n\s+{key}: )[^#\n]*?(\s*(#|\n))", rf"\g<1>{value}\2", text, count=1
        )
        assert found == 1, f"no {key} in cost-tiers.yaml"
    tiers.write_text(text)
    return config


CHEAP_HASHING = {"hash_time_cost": 1, "hash_memory_kib": 1024, "hash_parallelism": 1}
ONE_RESERVE_CLIP = {"reserve_clips": 1}


def cheap_hashing_config(tmp_path: Path) -> Path:
    return tweaked_config(tmp_path, **CHEAP_HASHING)


def create_admin(
    config: Path, data: Path, handle: str, password: str, role: str = "admin"
) -> subprocess.CompletedProcess[str]:
    """`vvtv user create --role admin` (or `mod`), the way the operator makes staff accounts."""
    return subprocess.run(
        [
            sys.executable, "-m", "vvtv.cli", "user", "create", "--handle", handle,
            "--role", role, "--password-stdin", "--config", str(config), "--data", str(data),
        ],
        input=password + "\n", capture_output=True, text=True, cwd=REPO, timeout=60,
    )  # fmt: skip


def wait_on_air(server: ServerProcess, timeout_s: float) -> None:
    """Until the channel airs: `/channel/now` says so and a media playlist lists segments (the
    first start prepares the reserve loop with ffmpeg)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log.read_text()
        if server.get("/channel/now").json()["on_air"] != "off":
            variant = next(
                line
                for line in server.get("/live/master.m3u8").text.splitlines()
                if line and not line.startswith("#")
            )
            if "#EXTINF" in server.get(f"/live/{variant}").text:
                return
        time.sleep(0.25)  # polling a subprocess preparing media, not a time-based rule
    raise AssertionError("the channel did not go on air in time")


def start_server(
    tmp_path: Path, *args: str, wait: bool = True, config: Path | None = None
) -> ServerProcess:
    port = free_port()
    data_dir = tmp_path / "var"
    command = [
        sys.executable,
        "-m",
        "vvtv.cli",
        "serve",
        "--port",
        str(port),
        "--data",
        str(data_dir),
        "--config",
        str(config or REPO / "config"),
        # Media on loopback too: a server under test listens nowhere else (the browsers allow
        # loopback peer connections, tests/browser.py).
        "--ice-loopback-only",
        *args,
    ]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # The log goes to a file: a pipe nobody reads fills up and then blocks the server.
    log = tmp_path / f"serve-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, text=True
        )
    server = ServerProcess(process=process, port=port, data_dir=data_dir, log=log)
    if wait:
        _wait_until_healthy(server)
    return server


def _wait_until_healthy(server: ServerProcess) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            output = server.log.read_text()
            raise RuntimeError(f"vvtv serve exited with {server.process.returncode}:\n{output}")
        try:
            if server.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)  # polling a real subprocess's start-up, not a time-based rule
    server.stop(signal.SIGKILL)
    raise RuntimeError("vvtv serve did not become healthy in time")
