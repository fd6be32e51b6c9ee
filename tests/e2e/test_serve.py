"""`vvtv serve` as a real subprocess: its operational endpoints, promtool-clean metrics, graceful
shutdown on signals, and start-up refused on a broken config."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.server_process import REPO
from tests.server_process import ServerProcess
from tests.server_process import free_port
from tests.server_process import start_server

pytestmark = pytest.mark.slow


def test_serve_answers_health_readiness_docs_and_openapi(server: ServerProcess) -> None:
    assert server.get("/healthz").json() == {"status": "ok"}
    ready = server.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["ready"] is True
    docs = server.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    openapi = server.get("/openapi.json").json()
    assert {"/healthz", "/readyz", "/metrics"} <= set(openapi["paths"])


def test_metrics_pass_promtool(server: ServerProcess) -> None:
    server.get("/healthz")
    server.get("/missing")
    text = server.get("/metrics").text
    assert "vvtv_http_requests_total" in text
    [config_info] = [line for line in text.splitlines() if line.startswith("vvtv_config_info")]
    assert 'tier="base"' in config_info
    assert 'skin="voulezvous"' in config_info  # the skin worn (OPS-3), for the operator's board
    promtool = shutil.which("promtool")
    assert promtool, "promtool is installed by scripts/test (Debian package prometheus)"
    check = subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.strip() == ""
    assert check.stderr.strip() == ""


def test_serve_takes_a_cost_tier_overlay(tmp_path: Path) -> None:
    """CFG-3: `--tier` applies the overlay; readiness reports the effective tier and version."""
    server = start_server(tmp_path, "--tier", "COST_LOW")
    try:
        ready = server.get("/readyz").json()
        assert ready["tier"] == "COST_LOW"
        assert "tier=COST_LOW" in next(
            c["detail"] for c in ready["checks"] if c["name"] == "config"
        )
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_server_gracefully_within_5_s(tmp_path: Path, sig: int) -> None:
    server = start_server(tmp_path)
    started = time.monotonic()
    code = server.stop(sig, timeout=5.0)
    elapsed = time.monotonic() - started
    output = server.log.read_text()
    assert code == 0, output
    assert elapsed < 5.0
    assert "vvtv stopped" in output
    assert "Traceback" not in output


@pytest.mark.req("CFG-5")
def test_a_broken_config_stops_start_up_with_the_validators_lines(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    profiles = config / "media-profiles.yaml"
    profiles.write_text(profiles.read_text() + "\nthis is: [not yaml\n")
    port = free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vvtv.cli",
            "serve",
            "--port",
            str(port),
            "--config",
            str(config),
            "--data",
            str(tmp_path / "var"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "media-profiles.yaml:" in result.stderr
    assert not (tmp_path / "var").exists()
