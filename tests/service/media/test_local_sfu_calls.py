"""MED-3 / INV-3: a call profile forwards audio both ways; ending the session closes the peers and
frees every encoder, task and thread."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
import trio

from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import client_peers
from tests.webrtc_clients import wait_for
from vvtv.config import ConfigBundle
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.local_sfu import SfuOptions
from vvtv.media.local_sfu import open_local_sfu
from vvtv.media.port import Participant

pytestmark = pytest.mark.slow


async def start_call(sfu: LocalSFU, clients: ClientPeers, session_id: str, profile: str):
    await sfu.create_webrtc_endpoints(
        session_id,
        profile,
        (
            Participant(participant_id="alice", publishes=True, subscribes_to=("bob",)),
            Participant(participant_id="bob", publishes=True, subscribes_to=("alice",)),
        ),
    )
    publishers = [await clients.publish(sfu, session_id, name) for name in ("alice", "bob")]
    subscribers = [await clients.subscribe(sfu, session_id, name) for name in ("alice", "bob")]
    return publishers, subscribers


async def test_call_profile_forwards_audio_and_end_frees_everything(
    sfu: LocalSFU, clients: ClientPeers
) -> None:
    """MED-3 / INV-3: call_random_fast forwards audio (a thumbnail never does) and caps video at
    640x360; revoking the session closes both sides' peer connections and frees the encoders."""
    publishers, subscribers = await start_call(sfu, clients, "call-1", "call_random_fast")
    await wait_for(
        lambda: all(
            s.received.audio_frames > 25 and len(s.received.video) > 10 for s in subscribers
        )
    )
    for peer in subscribers:
        assert sorted(peer.received.tracks) == ["audio", "video"]
        assert all(w <= 640 and h <= 360 for _, w, h in peer.received.video)
    stats = sfu.statistics()
    assert stats.encoders == {"call_random_fast": 2, "call_random_fast/audio": 2}
    assert (stats.peer_connections, stats.publishers, stats.subscribers) == (4, 2, 4)

    report = await sfu.revoke_endpoints("call-1")

    assert report.peer_connections_closed == 4
    stats = sfu.statistics()
    assert (stats.sessions, stats.peer_connections, stats.publishers, stats.subscribers) == (
        0,
        0,
        0,
        0,
    )
    assert stats.encoders == {}
    for peer in (*publishers, *subscribers):
        await wait_for(lambda peer=peer: peer.pc.connectionState in ("closed", "failed"))


async def test_closing_the_sfu_leaks_no_thread_or_task(
    config_bundle: ConfigBundle, tmp_path: Path
) -> None:
    """MED-3: an SFU that carried a call and is closed with the session still open leaves no
    thread behind (its asyncio loop, encoder pool and aiortc's decoder threads are all gone)."""
    before = {thread.ident for thread in threading.enumerate()}
    async with client_peers() as clients:
        async with open_local_sfu(
            config_bundle, data_dir=tmp_path, options=SfuOptions(loopback_candidates=True)
        ) as sfu:
            _, subscribers = await start_call(sfu, clients, "call-2", "call_private")
            await wait_for(lambda: all(len(s.received.video) > 5 for s in subscribers))
            engine_loop = sfu.bridge.loop
            tasks = await sfu.bridge.call(_count_tasks)
            assert tasks > 0
        assert engine_loop.is_closed()
    await wait_for(lambda: {t.ident for t in threading.enumerate()} <= before, within_s=5)


async def _count_tasks() -> int:
    return len(asyncio.all_tasks())


async def test_trio_loop_stays_responsive_while_media_flows(
    sfu: LocalSFU, clients: ClientPeers
) -> None:
    """MED-3: media runs on its own thread, so trio's loop lag stays small during a call."""
    _, subscribers = await start_call(sfu, clients, "call-3", "call_random_fast")
    await wait_for(lambda: all(len(s.received.video) > 5 for s in subscribers))
    lags: list[float] = []
    for _ in range(100):
        start = trio.current_time()
        await trio.sleep(0.01)
        lags.append(trio.current_time() - start - 0.01)
    lags.sort()
    assert lags[98] < 0.05, lags[-5:]
