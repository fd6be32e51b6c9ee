"""The actor kernel's statistics reach /metrics in a format promtool accepts."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
import trio
from quart.typing import TestClientProtocol as HttpClient

from vvtv.actors import ActorCrashed
from vvtv.actors import BaseActor
from vvtv.runtime import Runtime


class Echo(BaseActor):
    kind = "echo"

    async def handle(self, message: Any) -> Any:
        if message == "crash":
            raise RuntimeError("boom")
        return message


@pytest.fixture
def metrics_client(runtime: Runtime, client: HttpClient) -> HttpClient:
    runtime.actors.register(Echo.kind, lambda key: Echo())
    return client


async def test_actor_statistics_are_exported_per_kind(
    metrics_client: HttpClient, runtime: Runtime
) -> None:
    for key in range(3):
        assert await runtime.actors.ask("echo", key, "hi") == "hi"
    with pytest.raises(ActorCrashed):
        await runtime.actors.ask("echo", 0, "crash")
    text = (await (await metrics_client.get("/metrics")).get_data()).decode()
    assert 'vvtv_actor_actors_live{kind="echo"} 3.0' in text
    assert 'vvtv_actor_messages_processed_total{kind="echo"} 4.0' in text
    assert 'vvtv_actor_crashes_total{kind="echo"} 1.0' in text

    promtool = shutil.which("promtool")
    assert promtool, "promtool is installed by scripts/test (Debian package prometheus)"
    check = await trio.to_thread.run_sync(
        lambda: subprocess.run(
            [promtool, "check", "metrics"], input=text, capture_output=True, text=True
        )
    )
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "")
