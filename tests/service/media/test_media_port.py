"""MED-1 / MED-2 / SES-10 / SES-11: the port's typed errors, on the fake and the real adapter."""

from __future__ import annotations

import aiortc
import pytest

from vvtv.config import ConfigBundle
from vvtv.errors import VvtvError
from vvtv.media.errors import ProfileNotWebRtc
from vvtv.media.errors import RevokeFailed
from vvtv.media.errors import UnknownEndpoint
from vvtv.media.errors import UnknownMediaSession
from vvtv.media.errors import UnknownProfile
from vvtv.media.fake import FakeMediaProvider
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.local_sfu.video_rendition import fit_within
from vvtv.media.port import MediaProvider
from vvtv.media.port import Participant
from vvtv.media.port import SdpOffer

VIEWER = (Participant(participant_id="v", subscribes_to=("p",)),)


@pytest.fixture
def fake(config_bundle: ConfigBundle) -> FakeMediaProvider:
    return FakeMediaProvider(config_bundle.media.profiles)


def providers(sfu: LocalSFU, fake: FakeMediaProvider) -> list[MediaProvider]:
    return [sfu, fake]  # both satisfy the Protocol (MED-2: the caller cannot tell them apart)


@pytest.mark.req("SES-11")
async def test_unknown_profile_is_refused_before_any_endpoint(
    sfu: LocalSFU, fake: FakeMediaProvider
) -> None:
    """SES-11: an unknown profile raises `UnknownProfile` (code unknown_profile) and creates
    nothing: the session does not exist afterwards, on the real SFU and on the fake."""
    for provider in providers(sfu, fake):
        with pytest.raises(UnknownProfile) as refused:
            await provider.create_webrtc_endpoints("s1", "thumb_huge", VIEWER)
        assert isinstance(refused.value, VvtvError)
        assert (refused.value.code, refused.value.status) == ("unknown_profile", 400)
        with pytest.raises(UnknownMediaSession):
            await provider.answer(
                SdpOffer(session_id="s1", participant_id="v", role="subscribe", sdp="v=0")
            )
    assert sfu.statistics().sessions == 0
    assert fake.sessions == {}


async def test_non_webrtc_profiles_are_refused(sfu: LocalSFU) -> None:
    """MED-3: mirror_local never leaves the device and the HLS ladder is not WebRTC."""
    for name in ("mirror_local", "broadcast_720p"):
        with pytest.raises(ProfileNotWebRtc):
            await sfu.create_webrtc_endpoints("s1", name, VIEWER)


async def test_offers_only_for_created_endpoints(sfu: LocalSFU) -> None:
    """MED-1: signalling is refused for a (participant, role) the session does not have."""
    endpoints = await sfu.create_webrtc_endpoints("s1", "thumb_low", VIEWER)
    assert [(e.participant_id, e.role, e.publisher_ids) for e in endpoints.endpoints] == [
        ("v", "subscribe", ("p",))
    ]
    with pytest.raises(UnknownEndpoint):
        await sfu.answer(SdpOffer(session_id="s1", participant_id="v", role="publish", sdp=""))
    assert (await sfu.revoke_endpoints("s1")).peer_connections_closed == 0


@pytest.mark.req("SES-10")
async def test_revoke_failure_is_a_typed_error(
    sfu: LocalSFU, fake: FakeMediaProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SES-10: when tearing a peer connection down fails, `revoke_endpoints` raises
    `RevokeFailed` (code revoke_failed) after closing the rest; the fake can be told to fail."""
    from tests.webrtc_clients import client_peers

    await sfu.create_webrtc_endpoints("s1", "thumb_low", VIEWER)
    async with client_peers() as clients:
        await clients.subscribe(sfu, "s1", "v", audios=0)

        async def broken_close(self: aiortc.RTCPeerConnection) -> None:
            raise OSError("socket gone")

        monkeypatch.setattr(aiortc.RTCPeerConnection, "close", broken_close)
        with pytest.raises(RevokeFailed) as failed:
            await sfu.revoke_endpoints("s1")
        monkeypatch.undo()
    assert failed.value.code == "revoke_failed"
    assert "socket gone" in failed.value.message
    assert sfu.statistics().sessions == 0

    fake.fail_revoke = {"s2"}
    await fake.create_webrtc_endpoints("s2", "thumb_low", VIEWER)
    with pytest.raises(RevokeFailed):
        await fake.revoke_endpoints("s2")
    assert fake.methods() == ["create_webrtc_endpoints", "revoke_endpoints"]


def test_renditions_fit_the_profile_box_without_upscaling() -> None:
    """THB-3: a rendition keeps the source's aspect, fits the profile's box, never upscales."""
    assert fit_within(640, 360, 320, 180) == (320, 180)
    assert fit_within(640, 360, 213, 120) == (212, 120)
    assert fit_within(640, 480, 320, 180) == (240, 180)
    assert fit_within(160, 90, 320, 180) == (160, 90)
