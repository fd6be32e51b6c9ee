"""INV-7 / TEL-4 for real: the kill-switch ladder under a real call's egress in the whole product.

A private call made through consent, with real aiortc clients sending busy pictures both ways
through the LocalSFU, puts more egress through the SFU than the test's ceiling (a quarter of a
call). The ladder steps down one step per dwell to its last step, each step audited and told to a
signed-in tab as `service.notice`; at the bottom the real bytes alone are over the ceiling, Random
refuses a join (`random_closed`) and a new call is refused (`kill_switch`), both 503. The clients
leave; the load falls below the hysteresis threshold and the ladder steps back up one step per
dwell to 0, never reversing on the way (no flapping), and calls are admitted again.

The meter samples every second over a 4 s window and the dwell is 2 s (the shipped 5 s / 60 s /
120 s would take half an hour), so the whole journey takes ~30 s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import trio
from msgspec.structs import replace

from tests.accounts import staff
from tests.service.consent.conftest import beat
from tests.service.consent.conftest import post
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from tests.webrtc_clients import HttpSignalling
from tests.webrtc_clients import Look
from tests.webrtc_clients import client_peers
from vvtv.app import create_app
from vvtv.assembly import open_runtime
from vvtv.clock import ManualClock
from vvtv.config import ConfigBundle
from vvtv.cost.ladder import ACTION
from vvtv.media.local_sfu.ice import allow_loopback_candidates

pytestmark = pytest.mark.slow

DWELL_S = 2.0
SAMPLE_S = 1
WINDOW_S = 4
# Busy pictures big enough that the SFU's encoders run near call_private's cap (test_call_cost).
LOOKS = (Look(chroma=200, tone_hz=300.0, noisy=True), Look(chroma=60, tone_hz=900.0, noisy=True))


def one_call_gb_per_hour(config: ConfigBundle) -> float:
    """SPEC's estimate for one private call: 0.439 x Mbps x 1 session x both directions."""
    mode = config.modes.modes["private_call"]
    assert mode.media_profile is not None
    mbps = config.media.profiles[mode.media_profile].max_total_kbps / 1000
    factor = config.limits.cost.direction_factor.of(mode.ecosystem)
    return config.limits.cost.gb_per_hour_per_mbps * mbps * factor


@pytest.fixture
async def world(cheap_config: ConfigBundle, tmp_path: Path) -> AsyncIterator[World]:
    """The ceiling is a quarter of one private call (an encoder starved of CPU on a busy machine
    still sends more than that); the ladder moves at most every DWELL_S."""
    allow_loopback_candidates()
    limits = cheap_config.limits
    kill = limits.kill_switches
    kill = replace(
        kill,
        max_estimated_egress_gb_per_hour_total=one_call_gb_per_hour(cheap_config) / 4,
        ladder=replace(kill.ladder, min_dwell_s=DWELL_S),
    )
    cost = replace(limits.cost, sample_interval_s=SAMPLE_S, rate_window_s=WINDOW_S)
    config = replace(cheap_config, limits=replace(limits, cost=cost, kill_switches=kill))
    wall = ManualClock(follow_trio=True)
    async with open_runtime(config, tmp_path / "var", clock=wall) as (runtime, services):
        yield World(create_app(runtime, services).test_client(), services, config, wall)


async def admin_get(world: World, admin: dict[str, Any], path: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {admin['access_token']}"}
    response = await world.client.get(path, headers=headers)
    assert response.status_code == 200
    body: dict[str, Any] = await response.get_json()
    return body


async def call(world: World, inviter: User, invitee: User) -> tuple[int, dict[str, Any]]:
    """`inviter` invites `invitee`, who accepts: the accept's answer."""
    status, made = await post(world, inviter, "/consent/invites", invitee_id=invitee.id)
    assert status == 201, made
    return await post(world, invitee, f"/consent/invites/{made['id']}/accept")


Step = Callable[[], Awaitable[None]]


async def until(condition: Callable[[], Awaitable[bool]], seconds: float, beat_every: Step) -> None:
    """Heartbeat as the clients would until `condition()` holds, for at most `seconds`."""
    with trio.fail_after(seconds):
        while not await condition():
            await beat_every()
            await trio.sleep(0.25)


@pytest.mark.req("INV-7", "TEL-4")
async def test_a_real_calls_egress_steps_the_ladder_down_and_leaving_steps_it_back_up(
    world: World,
) -> None:
    people = await world.users("ana", "bob", "carl", "dan")
    admin = await staff(world.services, world.client, "olga", "admin")
    ana, bob, carl, dan = (people[h] for h in ("ana", "bob", "carl", "dan"))
    steps = list(world.config.limits.kill_switches.ladder.steps)
    bottom = len(steps)
    kill = world.config.limits.kill_switches
    ceiling = kill.max_estimated_egress_gb_per_hour_total
    notices: list[dict[str, Any]] = []

    async def level() -> int:
        status = await admin_get(world, admin, "/admin/kill-switch")
        return int(status["level"])

    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab, client_peers() as peers:
        status, accepted = await call(world, ana, bob)
        assert status == 200, accepted
        session_id = accepted["session_id"]

        async def keep_call() -> None:
            """Both tabs heartbeat the call; what ana's tab was told meanwhile is kept."""
            told = await beat(ana_tab, session_id)
            notices.extend(e for e in told if e["type"] == "service.notice")
            await beat(bob_tab, session_id)

        subscribers = []
        for user, look in ((ana, LOOKS[0]), (bob, LOOKS[1])):
            signalling = HttpSignalling(world.client, user.headers)
            await peers.publish(
                signalling, session_id, user.id, look=look, width=640, height=360, fps=15
            )
            subscribers.append(await peers.subscribe(signalling, session_id, user.id))
            await keep_call()

        async def media_flows() -> bool:
            return all(len(s.received.video) > 10 for s in subscribers)

        await until(media_flows, 30, keep_call)

        async def at_bottom() -> bool:
            return await level() == bottom

        await until(at_bottom, bottom * DWELL_S + 15, keep_call)
        # Past a full window of real media: what the SFU really sent holds the ladder down alone.
        await trio.sleep(WINDOW_S)
        await keep_call()
        report = await admin_get(world, admin, "/admin/cost")
        assert report["total_measured_gb_per_hour"] > ceiling, report
        # Its effects, with the typed code: Random is paused, and a new call is refused.
        response = await world.client.post(
            "/match/join", json={"language": "en", "tags": []}, headers=carl.headers
        )
        refused = await response.get_json()
        assert response.status_code == 503, refused
        assert refused["code"] == "random_closed", refused
        status, refused = await call(world, carl, dan)
        assert status == 503, refused
        assert refused["code"] == "kill_switch", refused
        service = await world.get(carl, "/service/notice")
        assert service == (200, {"level": bottom, "step": steps[-1], "shield": None})

        # Both leave: the call ends, the clients close.
        response = await world.client.post(
            f"/sessions/{session_id}/end", json={"reason": "user"}, headers=ana.headers
        )
        assert response.status_code == 200, await response.get_json()
        await peers.close_all()
        left_at = trio.current_time()

        async def at_top() -> bool:
            notices.extend(e for e in await ana_tab.settle() if e["type"] == "service.notice")
            return await level() == 0

        await until(at_top, WINDOW_S + bottom * DWELL_S + 15, trio.lowlevel.checkpoint)
        climbed_s = trio.current_time() - left_at

    # Every step audited, down then up, one level at a time and a dwell apart: no flapping.
    page = await admin_get(world, admin, "/admin/audit")
    trail = sorted((e for e in page["entries"] if e["action"] == ACTION), key=lambda e: e["id"])
    levels = [e["detail"]["to"] for e in trail]
    down_and_up = [*range(1, bottom + 1), *range(bottom - 1, -1, -1)]
    assert levels == down_and_up
    assert {e["detail"]["cause"] for e in trail} == {"load"}
    assert [e["detail"]["step"] for e in trail[:bottom]] == steps
    assert all(e["detail"]["load_gb_per_hour"] > ceiling for e in trail[:bottom])
    step_up_below = ceiling * kill.ladder.step_up_fraction
    assert all(e["detail"]["load_gb_per_hour"] < step_up_below for e in trail[bottom:])
    times = [datetime.fromisoformat(e["at"]) for e in trail]
    gaps = [(b - a).total_seconds() for a, b in pairwise(times)]
    assert min(gaps) >= DWELL_S
    # The user was told each step, calmly, in the same order.
    assert [n["level"] for n in notices] == down_and_up
    assert notices[0]["step"] == steps[0]
    assert notices[-1]["step"] is None
    # Calls are admitted again.
    status, accepted = await call(world, carl, dan)
    assert status == 200, accepted
    print(
        f"ceiling {ceiling:.3f} GB/h; at the bottom measured"
        f" {report['total_measured_gb_per_hour']:.3f} GB/h, estimated"
        f" {report['total_estimated_gb_per_hour']:.3f}; down in {times[bottom - 1] - times[0]},"
        f" back to 0 {climbed_s:.1f} s after the call ended; gaps {min(gaps):.2f}-{max(gaps):.2f} s"
    )
