"""`GET /channel/now` (UI-6): what the viewer at `/` sees airing now and next, from the
transmitter's cursor and the broadcast queue; titles made from item ids."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.small_lab import fake_prepared
from vvtv.assembly.services import Services
from vvtv.clock import ManualClock
from vvtv.contracts.lab import LabStatus
from vvtv.contracts.lab import OnAir
from vvtv.domain.lab.channel import item_title
from vvtv.domain.lab.channel import now_and_next
from vvtv.domain.lab.playlist import Variant
from vvtv.lab.runtime import LabRuntime
from vvtv.lab.transmitter import Transmitter

pytestmark = pytest.mark.req("UI-6")


class Pipeline:
    up = True

    def __call__(self) -> bool:
        return self.up


def air(lab: LabRuntime, pipeline: Pipeline) -> Transmitter:
    """Put a transmitter on the lab's queue, as `LabRuntime.run` does, without ffmpeg."""
    transmitter = Transmitter(
        lab.paths.live, [Variant(name="hi", bandwidth_bps=1_000_000, width=640, height=360)],
        2.0, 4, lab.queue, [fake_prepared("reserve-generated-00", 2, reserve=True)], pipeline,
        ManualClock(follow_trio=True), resume_slack_s=0.0, min_dwell_s=0.0,
    )  # fmt: skip
    lab.supervisor.transmitter = transmitter
    return transmitter


async def now(client: HttpClient) -> dict[str, Any]:
    response = await client.get("/channel/now")
    assert response.status_code == 200
    body: dict[str, Any] = await response.get_json()
    return body


@pytest.mark.parametrize(
    ("item_id", "title"),
    [
        ("sunset-beach_01", "Sunset beach 01"),
        ("NASA_launch", "NASA launch"),
        ("concert-20241231", "Concert 20241231"),
        ("a..b--c__d", "A b c d"),
        # What catalog.derive_id makes of a source: the file stem, its extension, a short hash.
        ("night-drive.mp4-0a1b2c3d", "Night drive"),
        ("clip.MKV", "Clip"),
        ("x", "X"),
    ],
)
def test_a_title_is_made_from_the_item_id(item_id: str, title: str) -> None:
    assert item_title(item_id) == title


def _status(on_air: OnAir, now_airing: str | None) -> LabStatus:
    return LabStatus(
        pipeline="running", on_air=on_air, now_airing=now_airing, queue_items=0,
        queue_slack_s=0.0, queue_health="empty", policy_version=1, media_sequence=0,
        discontinuity_sequence=0, transmitter_restarts=0, pipeline_restarts=0,
    )  # fmt: skip


def test_up_next_skips_reserve_items_and_stops_at_the_count() -> None:
    queued = [
        fake_prepared("a", 1), fake_prepared("reserve-x", 1, reserve=True), fake_prepared("b", 1),
        fake_prepared("c", 1),
    ]  # fmt: skip
    shown = now_and_next(_status("plan", "now-on"), queued, 2)
    assert (shown.on_air, shown.item_id, shown.title) == ("plan", "now-on", "Now on")
    assert [(item.item_id, item.title) for item in shown.up_next] == [("a", "A"), ("b", "B")]


def test_a_failed_transmitter_is_off_air_whatever_its_cursor_says() -> None:
    shown = now_and_next(_status("off", "stale"), [fake_prepared("a", 1)], 3)
    assert (shown.on_air, shown.item_id, shown.title, shown.up_next) == ("off", None, None, [])


async def test_off_air_before_the_channel_starts(client: HttpClient) -> None:
    """Opened, not run: nothing airs, and the viewer is told so (no error)."""
    assert await now(client) == {"on_air": "off", "item_id": None, "title": None, "up_next": []}


async def test_the_planned_item_on_air_and_up_next_from_config(
    client: HttpClient, services: Services
) -> None:
    lab = services.lab
    count = lab.settings.limits.up_next_count
    for item_id in ["sunset-beach_01", "city-lights", "harbour_02", "night-drive", "dawn", "rain"]:
        lab.queue.push(fake_prepared(item_id, 2))
    await air(lab, Pipeline()).tick()
    body = await now(client)
    assert (body["on_air"], body["item_id"], body["title"]) == (
        "plan", "sunset-beach_01", "Sunset beach 01",
    )  # fmt: skip
    assert len(body["up_next"]) == count == 3
    assert body["up_next"][0] == {"item_id": "city-lights", "title": "City lights"}
    # The count is config's: a smaller one lists fewer.
    lab.settings = msgspec.structs.replace(
        lab.settings, limits=msgspec.structs.replace(lab.settings.limits, up_next_count=1)
    )
    assert [item["item_id"] for item in (await now(client))["up_next"]] == ["city-lights"]


@pytest.mark.req("LAB-6")
async def test_the_reserve_loop_shows_as_reserve_without_an_item(
    client: HttpClient, services: Services
) -> None:
    lab = services.lab
    pipeline = Pipeline()
    transmitter = air(lab, pipeline)
    lab.queue.push(fake_prepared("sunset-beach_01", 1))
    lab.queue.push(fake_prepared("city-lights", 1))
    await transmitter.tick()
    assert (await now(client))["on_air"] == "plan"
    pipeline.up = False  # the pipeline dies: the reserve loop takes over at once
    await transmitter.tick()
    body = await now(client)
    assert (body["on_air"], body["item_id"], body["title"]) == ("reserve", None, None)
    # What is prepared still comes next once the plan resumes; reserve clips never show.
    assert [item["item_id"] for item in body["up_next"]] == ["city-lights"]
