"""The UI's own unit tests (vitest, under vvtv/web/ui/tests): the ModeRouter state machine's
rules, run as part of the one test command."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[3] / "vvtv" / "web" / "ui"


@pytest.mark.req("UI-2", "UI-8")
def test_the_mode_router_rules_hold() -> None:
    """Deep links kept through the login sheet, login lands in Party, handover hints from the
    manifest being left, the not-found screen where no mode is offered (ui/tests/router.test.ts)."""
    npx = shutil.which("npx")
    assert npx, "node/npm are missing: scripts/bootstrap sets up the UI toolchain"
    done = subprocess.run(
        [npx, "vitest", "run", "--reporter=json"],
        cwd=UI,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout[done.stdout.index("{") :])
    assert report["success"] is True
    assert report["numFailedTests"] == 0
    assert report["numPassedTests"] >= 12  # the suite ran, not an empty collection
