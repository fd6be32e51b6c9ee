"""The channel on air in `vvtv serve` by default (LAB-5, LAB-6, LAB-8): with an empty catalog the
reserve loop airs as real HLS under /live/, the in-process agent reports to the server's board,
and SIGTERM still stops everything (ffmpeg included) within the shutdown budget."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.server_process import ONE_RESERVE_CLIP
from tests.server_process import ServerProcess
from tests.server_process import start_server
from tests.server_process import tweaked_config

pytestmark = [pytest.mark.slow, pytest.mark.req("LAB-5", "LAB-6", "LAB-8")]

ON_AIR_TIMEOUT_S = 50.0  # first start generates and prepares the reserve clips with ffmpeg
TS_PACKET = 188


def _poll(server: ServerProcess, path: str, ready: object, deadline: float) -> str:
    """GET `path` until `ready(response)` holds; the body then."""
    while time.monotonic() < deadline:
        assert server.process.poll() is None, "vvtv serve exited"
        response = server.get(path)
        if ready(response):  # type: ignore[operator]
            return response.text
        time.sleep(0.25)  # polling a subprocess that is preparing media, not a time-based rule
    raise AssertionError(f"{path} not ready in time")


def test_serve_airs_the_reserve_loop_as_hls_and_stops_on_sigterm(tmp_path: Path) -> None:
    server = start_server(tmp_path, config=tweaked_config(tmp_path, **ONE_RESERVE_CLIP))
    try:
        deadline = time.monotonic() + ON_AIR_TIMEOUT_S
        master = _poll(server, "/live/master.m3u8", lambda r: r.status_code == 200, deadline)
        response = server.get("/live/master.m3u8")
        assert response.headers["content-type"] == "application/vnd.apple.mpegurl"
        assert master.startswith("#EXTM3U")
        variants = [line for line in master.splitlines() if line and not line.startswith("#")]
        assert len(variants) >= 1
        media_path = f"/live/{variants[0]}"
        media = _poll(server, media_path, lambda r: "#EXTINF:" in r.text, deadline)
        segments = [line for line in media.splitlines() if line and not line.startswith("#")]
        assert segments, media
        segment = server.get(urljoin(media_path, segments[0]))
        assert segment.status_code == 200
        assert segment.headers["content-type"] == "video/mp2t"
        body = segment.content
        assert len(body) >= 2 * TS_PACKET
        assert body[0] == 0x47  # MPEG-TS sync bytes, one per 188-byte packet
        assert body[TS_PACKET] == 0x47
        health = server.get("/lab/health").json()
        assert health["ok"] is True
        # The in-process agent reported: the board's gauges say the reserve loop is on air.
        _poll(
            server,
            "/metrics",
            lambda r: 'vvtv_lab_agent_emergency{agent="lab"} 1.0' in r.text,
            time.monotonic() + 10,
        )
    finally:
        started = time.monotonic()
        code = server.stop(signal.SIGTERM, timeout=5.0)
        elapsed = time.monotonic() - started
    output = server.process.stdout.read() if server.process.stdout else ""
    assert code == 0, output
    assert elapsed < 5.0
    assert "Traceback" not in output
