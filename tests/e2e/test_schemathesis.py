"""No input produces a 500 or breaks the documented schemas: schemathesis over /openapi.json
against a real `vvtv serve`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server_process import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.req("INV-9")]


def test_schemathesis_finds_no_server_error_or_schema_violation(
    server: ServerProcess, tmp_path: Path
) -> None:
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
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
