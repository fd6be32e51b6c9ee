"""`vvtv lab add|ls`: the catalog from the shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.small_lab import make_clip
from vvtv.lab.cli import main


def test_add_probes_a_local_file_and_ls_lists_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clip = make_clip(tmp_path / "clip.mp4", 3)
    data = ["--data", str(tmp_path / "lab")]
    assert main([*data, "add", str(clip), "--tags", "music,kids", "--id", "clip"]) == 0
    assert capsys.readouterr().out.strip() == "clip"
    assert main([*data, "add", "https://cdn.example/x.mp4", "--duration", "42"]) == 0
    capsys.readouterr()
    assert main([*data, "ls", "--json"]) == 0
    items = {item["id"]: item for item in json.loads(capsys.readouterr().out)["items"]}
    assert items["clip"]["tags"] == ["kids", "music"]
    assert abs(items["clip"]["duration_s"] - 3) < 0.2
    assert len(items) == 2
    assert main([*data, "add", str(clip), "--id", "clip"]) == 1  # duplicate id
    assert "exists" in capsys.readouterr().err
    assert main([*data, "add", "https://cdn.example/y.mp4"]) == 1  # remote needs --duration
