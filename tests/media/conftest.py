"""Fixtures of the media tests: a running LocalSFU on loopback and aiortc client peers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from tests.media.clients import ClientPeers, client_peers
from vvtv.config import ConfigBundle
from vvtv.media.local_sfu import LocalSFU, SfuOptions, open_local_sfu


@pytest.fixture
def metrics_registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def sfu(
    config_bundle: ConfigBundle, tmp_path: Path, metrics_registry: CollectorRegistry
) -> AsyncIterator[LocalSFU]:
    async with open_local_sfu(
        config_bundle,
        data_dir=tmp_path,
        registry=metrics_registry,
        options=SfuOptions(loopback_candidates=True),
    ) as provider:
        yield provider


@pytest.fixture
async def clients() -> AsyncIterator[ClientPeers]:
    async with client_peers() as peers:
        yield peers
