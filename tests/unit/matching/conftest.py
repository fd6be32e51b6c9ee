"""`config`: the shipped config; a test narrows one figure with msgspec's `replace`."""

from __future__ import annotations

import pytest

from vvtv.config import ConfigBundle


@pytest.fixture
def config(config_bundle: ConfigBundle) -> ConfigBundle:
    return config_bundle
