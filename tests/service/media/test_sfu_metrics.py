"""The local SFU's Prometheus metrics: `vvtv_sfu_*` names, counters end in `_total`, and the
exposition passes `promtool check metrics`."""

from __future__ import annotations

import shutil

import pytest
import trio
from prometheus_client import CollectorRegistry
from prometheus_client import generate_latest

from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import wait_for
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.port import Participant


@pytest.mark.slow
async def test_sfu_metrics_are_promtool_clean(
    sfu: LocalSFU, clients: ClientPeers, metrics_registry: CollectorRegistry
) -> None:
    """INV-10 groundwork: publishers, subscribers, encoders and forwarded packets are exported."""
    await sfu.create_webrtc_endpoints(
        "s",
        "thumb_low",
        (
            Participant(participant_id="p", publishes=True),
            Participant(participant_id="v", subscribes_to=("p",)),
        ),
    )
    await clients.publish(sfu, "s", "p", audio=False)
    viewer = await clients.subscribe(sfu, "s", "v", audios=0)
    await wait_for(lambda: len(viewer.received.video) > 2)

    text = generate_latest(metrics_registry).decode()

    for line in (
        "vvtv_sfu_publishers 1.0",
        "vvtv_sfu_subscribers 1.0",
        'vvtv_sfu_encoders{profile="thumb_low"} 1.0',
    ):
        assert line in text
    for counter in ("packets_forwarded", "keyframes_requested", "frames_encoded"):
        assert f"vvtv_sfu_{counter}_total " in text
    assert shutil.which("promtool"), "promtool is installed by scripts/test (Debian: prometheus)"
    checked = await trio.run_process(
        ["promtool", "check", "metrics"],
        stdin=text.encode(),
        capture_stdout=True,
        capture_stderr=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr.decode() + checked.stdout.decode()
