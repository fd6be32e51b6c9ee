"""ABU-4: a quarantined Random call runs at the quarantine's profile, the forced one with
anti_abuse.quarantine's video caps, and the SFU holds it there. Measured on real WebRTC (aiortc
publishers sending 640x360@30): the video bitrate the SFU sends (a busy picture, so the encoders
run at their cap) and the frame rate each side decodes (a plain one, so only the fps cap limits
it) stay under the caps, where the same calls at the forced profile go past them."""

from __future__ import annotations

import time

import pytest
import trio

from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import Look
from tests.webrtc_clients import wait_for
from vvtv.config import ConfigBundle
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.port import Participant

pytestmark = pytest.mark.slow

WINDOW_S = 3.0
BUSY = Look(noisy=True)  # the encoders run at their bitrate caps
PLAIN = Look()  # cheap to encode: only the fps cap drops frames


async def _measure(
    sfu: LocalSFU, clients: ClientPeers, session_id: str, profile: str, look: Look
) -> tuple[float, float]:
    """A two-person call at `profile`, video only: per stream, the kbps the SFU's senders sent
    and the frames a second the other side decoded, over WINDOW_S once it runs."""
    await sfu.create_webrtc_endpoints(
        session_id,
        profile,
        (
            Participant(participant_id="ana", publishes=True, subscribes_to=("bea",)),
            Participant(participant_id="bea", publishes=True, subscribes_to=("ana",)),
        ),
    )
    for name in ("ana", "bea"):
        await clients.publish(sfu, session_id, name, audio=False, look=look)
    viewers = [await clients.subscribe(sfu, session_id, name, audios=0) for name in ("ana", "bea")]
    await wait_for(lambda: all(len(v.received.video) > 10 for v in viewers))
    await trio.sleep(1.0)  # past the byte budget's first second of burst
    sent_before = sfu.statistics().bytes_sent.get(profile, 0)
    start = time.monotonic()
    await trio.sleep(WINDOW_S)
    elapsed = time.monotonic() - start
    sent = sfu.statistics().bytes_sent.get(profile, 0) - sent_before
    decoded = [len(v.received.video_between(start, start + elapsed)) for v in viewers]
    await sfu.revoke_endpoints(session_id)
    kbps = sent * 8 / 1000 / elapsed / len(viewers)
    return kbps, min(decoded) / elapsed


@pytest.mark.req("ABU-4")
async def test_a_quarantined_call_is_sent_at_the_reduced_caps(
    sfu: LocalSFU, clients: ClientPeers, config_bundle: ConfigBundle
) -> None:
    quarantine = config_bundle.limits.anti_abuse.quarantine
    cap_kbps, cap_fps = quarantine.max_video_bitrate_kbps, quarantine.max_fps
    assert (cap_kbps, cap_fps) == (300, 15)

    forced, reduced = quarantine.forced_profile, quarantine.reduced_profile
    open_kbps, _ = await _measure(sfu, clients, "open-busy", forced, BUSY)
    kbps, _ = await _measure(sfu, clients, "quarantined-busy", reduced, BUSY)
    _, open_fps = await _measure(sfu, clients, "open-plain", forced, PLAIN)
    _, fps = await _measure(sfu, clients, "quarantined-plain", reduced, PLAIN)

    print(f"{forced}: {open_kbps:.0f} kbps, {open_fps:.1f} fps; {reduced}: {kbps:.0f} kbps,"
          f" {fps:.1f} fps")  # fmt: skip
    assert open_kbps > cap_kbps * 1.5  # the busy picture would pass the cap
    # The byte budget may let one frame take it below zero, and a busy machine bunches frames.
    assert kbps <= cap_kbps * 1.1
    assert open_fps > cap_fps + 3  # the plain picture would pass the cap
    # Capped, and still a moving picture: a loaded machine's encoder may fall well short of it.
    assert cap_fps * 0.5 <= fps <= cap_fps + 0.5
