"""The SFU counts the bytes its senders really took, by rendition profile (TEL-4, THB-6): what
the cost meter's measured column is made of."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import wait_for
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.port import Participant


@pytest.mark.slow
@pytest.mark.req("TEL-4", "THB-6")
async def test_bytes_sent_to_a_tile_viewer_are_counted_under_its_rendition(
    sfu: LocalSFU, clients: ClientPeers, metrics_registry: CollectorRegistry
) -> None:
    assert sfu.statistics().bytes_sent == {}
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
    await wait_for(lambda: len(viewer.received.video) > 4)
    sent = sfu.statistics().bytes_sent
    assert set(sent) == {"thumb_low"}
    assert sent["thumb_low"] > 0
    exported = metrics_registry.get_sample_value(
        "vvtv_sfu_bytes_sent_total", {"profile": "thumb_low"}
    )
    assert exported is not None
    assert exported >= sent["thumb_low"]
