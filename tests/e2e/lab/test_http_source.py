"""LAB-2: the fetcher's real source downloads over HTTP (from a real local server): availability
is checked first, a missing item is unavailable, a download lands whole under its name."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server_process import free_port
from vvtv.lab.sources import HttpOrFileSource
from vvtv.lab.sources import SourceUnavailable


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[str]:
    served = tmp_path / "served"
    served.mkdir()
    (served / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 400)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(served)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # polling a real subprocess's start-up, not a time-based rule
            try:
                httpx.head(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait()


async def test_an_http_source_is_checked_then_downloaded_whole(
    http_server: str, tmp_path: Path
) -> None:
    source = HttpOrFileSource(timeout_s=10)
    try:
        assert await source.available(f"{http_server}/clip.mp4")
        assert not await source.available(f"{http_server}/missing.mp4")
        dest = tmp_path / "downloads" / "clip.mp4"
        path, written = await source.fetch(f"{http_server}/clip.mp4", dest)
        assert path == dest
        assert written == dest.stat().st_size == 12 + 256 * 400
        assert not dest.with_name("clip.mp4.part").exists()
        with pytest.raises(SourceUnavailable, match="404"):
            await source.fetch(f"{http_server}/missing.mp4", tmp_path / "downloads" / "x.mp4")
    finally:
        await source.aclose()
