"""Fixtures shared by the whole suite: the shipped config, a runtime with a live actor registry,
an in-process HTTP client, a real `vvtv serve` subprocess, and a LocalSFU on loopback with aiortc
client peers (the SFU's service tests and the browser's e2e test both publish to it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator
from pathlib import Path

import pytest
from msgspec.structs import replace
from prometheus_client import CollectorRegistry
from quart.typing import TestClientProtocol as HttpClient
from quart_trio import QuartTrio

from tests.server_process import ServerProcess
from tests.server_process import start_server
from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import client_peers
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.assembly.services import Services
from vvtv.config import ConfigBundle
from vvtv.config import build_runtime_config
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.local_sfu import SfuOptions
from vvtv.media.local_sfu import open_local_sfu
from vvtv.runtime import Runtime

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def config_bundle() -> ConfigBundle:
    return build_runtime_config(REPO / "config")


@pytest.fixture(scope="session")
def cheap_config(config_bundle: ConfigBundle) -> ConfigBundle:
    """The shipped config with argon2 made cheap: tests hash many passwords; the benchmark
    measures the real cost."""
    auth = config_bundle.limits.auth
    password = replace(auth.password, hash_time_cost=1, hash_memory_kib=1024, hash_parallelism=1)
    limits = replace(config_bundle.limits, auth=replace(auth, password=password))
    return replace(config_bundle, limits=limits)


@pytest.fixture
async def services_and_runtime(
    cheap_config: ConfigBundle, tmp_path: Path
) -> AsyncIterator[tuple[Runtime, Services]]:
    async with open_runtime(cheap_config, tmp_path / "var") as opened:
        yield opened


@pytest.fixture
def runtime(services_and_runtime: tuple[Runtime, Services]) -> Runtime:
    return services_and_runtime[0]


@pytest.fixture
def services(services_and_runtime: tuple[Runtime, Services]) -> Services:
    return services_and_runtime[1]


@pytest.fixture
def app(runtime: Runtime, services: Services) -> QuartTrio:
    return create_app(runtime, services)


@pytest.fixture
def client(app: QuartTrio) -> HttpClient:
    return app.test_client()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real `vvtv serve` on a free loopback port, stopped with SIGTERM afterwards."""
    process = start_server(tmp_path)
    try:
        yield process
    finally:
        process.stop()


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
async def worker_sfu(config_bundle: ConfigBundle, tmp_path: Path) -> AsyncIterator[LocalSFU]:
    """The SFU as `vvtv serve` runs it: the engine in its worker process."""
    options = SfuOptions(loopback_candidates=True, process=True, statistics_s=0.1)
    async with open_local_sfu(config_bundle, data_dir=tmp_path, options=options) as provider:
        yield provider


@pytest.fixture
async def clients() -> AsyncIterator[ClientPeers]:
    async with client_peers() as peers:
        yield peers
