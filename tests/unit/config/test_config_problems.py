"""How problems are reported: format, collection, unknown tiers, missing files."""

from __future__ import annotations

from pathlib import Path

import pytest

from vvtv.config import ConfigError
from vvtv.config import Problem
from vvtv.config import build_runtime_config


def test_problem_renders_file_line_key_path_message() -> None:
    """CFG-4: a problem renders exactly as `file:line: key.path: message`."""
    problem = Problem(
        "config/media-profiles.yaml",
        42,
        "profiles.thumb_low.audio",
        "must be false for thumbnail profiles (INV-3)",
    )
    assert str(problem) == (
        "config/media-profiles.yaml:42: profiles.thumb_low.audio: "
        "must be false for thumbnail profiles (INV-3)"
    )


def test_unknown_tier_is_a_problem(config_copy: Path) -> None:
    """CFG-3 / CFG-4: asking for a tier the file does not define is a located problem."""
    with pytest.raises(ConfigError) as caught:
        build_runtime_config(config_copy, "COST_HIGH")
    [problem] = caught.value.problems
    tiers_line = (config_copy / "cost-tiers.yaml").read_text().splitlines().index("tiers:") + 1
    assert (problem.file, problem.line, problem.key_path) == (
        "config/cost-tiers.yaml",
        tiers_line,
        "tiers",
    )
    assert "unknown tier `COST_HIGH`" in problem.message
    assert "COST_LOW" in problem.message


def test_missing_file_is_a_problem(config_copy: Path) -> None:
    """CFG-1: a missing config file is reported by name (and nothing crashes)."""
    (config_copy / "telemetry-events.yaml").unlink()
    with pytest.raises(ConfigError) as caught:
        build_runtime_config(config_copy)
    [problem] = caught.value.problems
    assert problem.file == "config/telemetry-events.yaml"
    assert "cannot read" in problem.message


def test_problems_across_files_are_all_collected(config_copy: Path) -> None:
    """CFG-4: one run reports every problem of every file, in file order, not just the first."""
    media = config_copy / "media-profiles.yaml"
    media.write_text(media.read_text().replace("    audio: false", "    audio: true"))
    modes = config_copy / "mode-manifests.yaml"
    modes.write_text(
        modes.read_text().replace(
            "separate_ecosystem_from_party: true", "separate_ecosystem_from_party: false"
        )
    )
    with pytest.raises(ConfigError) as caught:
        build_runtime_config(config_copy)
    problems = caught.value.problems
    assert {p.key_path for p in problems} == {
        "profiles.thumb_low.audio",
        "profiles.thumb_degraded.audio",
        "modes.live_public.policies.separate_ecosystem_from_party",
    }  # mirror_local got audio too: not a thumbnail, so not an INV-3 problem
    assert problems == sorted(problems)
    assert str(caught.value).splitlines() == [str(p) for p in problems]


def test_absolute_path_outside_cwd_is_shown_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CFG-4: problems name the file as the user gave it (absolute when outside the cwd)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    missing = tmp_path / "nothing-here"
    with pytest.raises(ConfigError) as caught:
        build_runtime_config(missing)
    assert {p.file for p in caught.value.problems} == {
        str(missing / name)
        for name in (
            "media-profiles.yaml",
            "mode-manifests.yaml",
            "cost-tiers.yaml",
            "telemetry-events.yaml",
            "skins.yaml",
        )
    }
