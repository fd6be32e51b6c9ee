"""A small LAB's settings over the test's own folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.small_lab import small_settings
from vvtv.lab.settings import LabSettings


@pytest.fixture
def settings(tmp_path: Path) -> LabSettings:
    return small_settings(tmp_path)
