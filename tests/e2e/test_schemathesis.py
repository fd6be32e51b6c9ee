"""No input produces a 500 or breaks the documented schemas: schemathesis over /openapi.json
against a real `vvtv serve`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server_process import cheap_hashing_config, start_server

pytestmark = [pytest.mark.slow, pytest.mark.req("INV-9")]


def test_schemathesis_finds_no_server_error_or_schema_violation(tmp_path: Path) -> None:
    """Every operation, signed-in ones included (schemathesis signs up and follows the links)."""
    server = start_server(tmp_path, config=cheap_hashing_config(tmp_path))
    schemathesis = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    result = subprocess.run(
        [
            schemathesis,
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "60",
            "--seed",
            "20261125",
            "--report-dir",
            str(tmp_path / "report"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # its example cache stays with this run
    )
    assert server.stop() == 0
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
