"""The whole channel with real ffmpeg: catalog → plan → fetch → prepare & QA → queue → live HLS,
then the pipeline killed and restored. Trio's clock runs 4× faster than the wall (MockClock
rate), so a minute of air takes 15 s; ffmpeg itself runs in real time."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
import trio
import trio.testing

from tests.small_lab import make_clip
from tests.small_lab import open_lab
from tests.small_lab import small_settings
from vvtv.clock import ManualClock
from vvtv.clock import utc_now
from vvtv.contracts.lab import NewMediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.playlist import LiveWindow
from vvtv.domain.lab.playlist import render_media
from vvtv.lab import ffmpeg
from vvtv.lab.runtime import LabRuntime
from vvtv.lab.settings import LabSettings
from vvtv.lab.transmitter import MEDIA_PREFIX

pytestmark = pytest.mark.slow

TARGET_LUFS = -23.0


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    corrupt = folder / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    return {
        "calm": make_clip(folder / "calm.mp4", 6, volume_db=-20, frequency=440),
        "loud": make_clip(folder / "loud.mp4", 6, volume_db=20, frequency=660),
        "quiet": make_clip(folder / "quiet.mp4", 6, volume_db=-35, frequency=330),
        "corrupt": corrupt,
    }


async def wait_for(condition: Callable[[], bool], within_s: float, what: str) -> None:
    deadline = trio.current_time() + within_s
    while trio.current_time() < deadline:
        if condition():
            return
        await trio.sleep(0.25)
    raise AssertionError(f"not within {within_s} s: {what}")


def aired_playlist(lab: LabRuntime) -> Path:
    """Everything that aired in rung 0, as a VOD playlist next to the live one."""
    assert lab.transmitter is not None
    history = tuple(lab.transmitter.history)
    window = LiveWindow(size=len(history), entries=history, next_sequence=history[-1].sequence + 1)
    text = render_media(window, 0, lab.settings.segment_s, MEDIA_PREFIX) + "#EXT-X-ENDLIST\n"
    path = lab.paths.live / "broadcast_720p" / "aired.m3u8"
    path.write_text(text)
    return path


def item_playlist(lab: LabRuntime, item_id: str) -> Path:
    assert lab.transmitter is not None
    uris = [e for e in lab.transmitter.history if e.item_id == item_id]
    lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:0"]
    for entry in uris:
        lines += [f"#EXTINF:{entry.duration_s:.3f},", MEDIA_PREFIX + entry.uris[0]]
    path = lab.paths.live / "broadcast_720p" / f"{item_id}.m3u8"
    path.write_text("\n".join([*lines, "#EXT-X-ENDLIST", ""]))
    return path


@pytest.mark.req("OPS-1")  # a pipeline failure puts the channel in emergency mode
async def test_the_channel_airs_the_plan_normalised_and_survives_a_pipeline_kill(
    tmp_path: Path, clips: dict[str, Path], mock_clock: trio.testing.MockClock
) -> None:
    """LAB-1..LAB-7 end to end: the plan airs as live HLS that decodes across discontinuities
    with monotonic program date times; every aired item is within ±1 LU of the target; the
    corrupt clip is rejected (with its reason) and never airs; killing the pipeline puts the
    reserve loop on air within emergency_fallback_max_s; restoring it resumes the plan."""
    mock_clock.rate = 4.0
    settings = small_settings(
        tmp_path,
        queue_slack_target_s=24, queue_alert_below_s=8, fetch_ahead_s=60, plan_horizon_s=60,
        fetch_backoff_s=(0.2,), emergency_resume_slack_s=6, emergency_min_dwell_s=2,
        emergency_fallback_max_s=5, reserve_clips=1, reserve_clip_s=4, health_check_interval_s=1,
    )  # fmt: skip
    async with open_lab(
        settings, clock=ManualClock(at=utc_now(), follow_trio=True),
        default_card=OwnerCard(no_repeat_window_s=0, target_lufs=TARGET_LUFS),
    ) as lab:  # fmt: skip
        await _air_and_check(lab, settings, clips)


async def _air_and_check(lab: LabRuntime, settings: LabSettings, clips: dict[str, Path]) -> None:
    for name, path in clips.items():
        await lab.catalog.add(NewMediaItem(id=name, source=str(path), duration_s=6), None)
    async with trio.open_nursery() as nursery:
        await nursery.start(lab.run)
        assert lab.transmitter is not None
        transmitter = lab.transmitter

        def aired() -> set[str]:
            return {e.item_id for e in transmitter.history if not e.reserve}

        await wait_for(lambda: {"calm", "loud", "quiet"} <= aired(), 240, "the plan airs")
        assert "corrupt" in lab.pipeline.rejected

        # Kill the pipeline: the reserve loop must be on air within the target.
        killed_at = trio.current_time()
        lab.kill_pipeline()
        await wait_for(lambda: transmitter.on_air == "reserve", 30, "reserve on air")
        fallback_s = trio.current_time() - killed_at
        print(f"fallback {fallback_s:.2f} s")
        assert fallback_s <= settings.limits.emergency_fallback_max_s
        assert "emergency mode: the reserve loop is on air" in lab.health().alerts

        # Restore: the plan resumes (the queue kept its prepared items).
        before = len(transmitter.history)
        result = await lab.command("start", who="test", reason="restore")
        assert result.ok
        await wait_for(lambda: transmitter.on_air == "plan", 30, "the plan resumes")
        await wait_for(lambda: len(transmitter.history) > before + 3, 30, "more air")
        nursery.cancel_scope.cancel()

    history = list(transmitter.history)
    assert all(b.sequence == a.sequence + 1 for a, b in itertools.pairwise(history))
    assert all(
        b.program_date == a.program_date + a.duration_s for a, b in itertools.pairwise(history)
    )
    assert "corrupt" not in {e.item_id for e in history}
    assert [(r.item_id, r.reason) for r in await lab.store.rejections()] == [("corrupt", "corrupt")]
    sources = [source for _, source in transmitter.switches]
    assert sources[-2:] == ["reserve", "plan"]

    # What aired decodes from end to end, across every discontinuity.
    playlist = aired_playlist(lab)
    probe = await ffmpeg.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=nb_read_frames", "-of", "json", str(playlist)]
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    frames = int(msgspec.json.decode(probe.stdout)["streams"][0]["nb_read_frames"])
    aired_s = sum(e.duration_s for e in history)
    assert math.isclose(frames, aired_s * 15, rel_tol=0.03), (frames, aired_s)

    # Loudness of what aired: each item, the far too loud one included, at the target.
    for item_id in ("calm", "loud", "quiet"):
        lufs = await ffmpeg.integrated_lufs(item_playlist(lab, item_id))
        print(f"{item_id}: {lufs} LUFS")
        assert abs(lufs - TARGET_LUFS) <= 1.0, (item_id, lufs)
    whole = await ffmpeg.integrated_lufs(playlist)
    assert abs(whole - TARGET_LUFS) <= 1.0, whole
