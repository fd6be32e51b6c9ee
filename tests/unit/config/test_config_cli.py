"""CFG-5: `vvtv config validate` passes on the shipped YAMLs (base and every tier) and fails,
non-zero, on each broken variant, printing each problem as `file:line: key: message`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.config.conftest import Expected
from tests.unit.config.conftest import broken_variant_names
from vvtv.cli import main

pytestmark = pytest.mark.req("CFG-5")


@pytest.mark.parametrize("tier", [None, "COST_LOW", "INCIDENT", "FREE_SOFT_OPENING"])
def test_validate_passes_on_the_shipped_config(
    config_copy: Path, tier: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["config", "validate"] + (["--tier", tier] if tier else [])
    assert main(args) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert out[0].startswith("config OK:")
    assert f"tier={tier or 'base'}" in out[0]


@pytest.mark.parametrize("case", broken_variant_names())
def test_validate_fails_on_each_broken_variant_naming_its_lines(
    apply_variant: Callable[[str], list[Expected]], case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = apply_variant(case)
    assert main(["config", "validate"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1] == f"config invalid: {len(expected)} problem(s)"
    for problem in expected:
        # A variant's `message` is a part of the validator's text (which names values too).
        head = f"{problem.file}:{problem.line}: {problem.key_path}: "
        assert any(line.startswith(head) and problem.message in line for line in lines), (
            head,
            problem.message,
            lines,
        )


def test_an_unknown_tier_fails(config_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "validate", "--tier", "GOLD_PLATED"]) == 1
    assert "GOLD_PLATED" in capsys.readouterr().err
