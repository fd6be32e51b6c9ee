"""Fixtures shared by the whole suite: the shipped config, a runtime with a live actor registry,
an in-process HTTP client, and a real `vvtv serve` subprocess."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.server_process import ServerProcess, start_server
from vvtv.actors import open_registry
from vvtv.config import ConfigBundle, build_runtime_config
from vvtv.runtime import Runtime
from vvtv.server import actor_settings
from vvtv.web.app import create_app

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def config_bundle() -> ConfigBundle:
    return build_runtime_config(REPO / "config")


@pytest.fixture
async def runtime(config_bundle: ConfigBundle, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with open_registry(actor_settings(config_bundle)) as actors:
        yield Runtime(config=config_bundle, actors=actors, data_dir=tmp_path)


@pytest.fixture
def client(runtime: Runtime) -> HttpClient:
    return create_app(runtime).test_client()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real `vvtv serve` on a free loopback port, stopped with SIGTERM afterwards."""
    process = start_server(tmp_path)
    try:
        yield process
    finally:
        process.stop()
