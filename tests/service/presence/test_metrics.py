"""What a solo operator watches of presence at /metrics: members, devices and watchers per
ecosystem, the events sent, the TTL's removals and the refusals, in a format promtool accepts."""

from __future__ import annotations

import shutil
import subprocess

import trio
import trio.testing

from tests.service.presence.conftest import World


async def _metrics(world: World) -> dict[str, float]:
    text = (await (await world.client.get("/metrics")).get_data()).decode()
    return {
        name: float(value)
        for line in text.splitlines()
        if line.startswith("vvtv_presence_")
        for name, value in [line.rsplit(" ", 1)]
    }


async def test_presence_is_measured_per_ecosystem(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    start = await _metrics(world)
    # Every ecosystem's series exists from the start, at zero.
    for ecosystem in ("party", "live_public", "random"):
        for series in ("members", "devices", "watchers", "expired_total"):
            assert start[f'vvtv_presence_{series}{{ecosystem="{ecosystem}"}}'] == 0

    people = await world.users("ana", "bob", "cyd")
    limits = world.config.limits.presence
    async with world.tab(people["ana"]) as first, world.tab(people["ana"]) as second:
        await first.set()
        async with world.tab(people["bob"]) as bob:
            await bob.subscribe()
            await second.set()  # ana's second device: an update for bob
            await world.set(people["cyd"], presence_mode="live_public")
            await world.set(people["bob"])
            await world.advance(mock_clock, limits.fanout_tick_ms / 1000)
            await bob.settle()
            now = await _metrics(world)
            assert now['vvtv_presence_members{ecosystem="party"}'] == 2
            assert now['vvtv_presence_devices{ecosystem="party"}'] == 3  # ana's two tabs
            assert now['vvtv_presence_watchers{ecosystem="party"}'] == 1
            assert now['vvtv_presence_members{ecosystem="live_public"}'] == 1
            sent = 'vvtv_presence_events_sent_total{ecosystem="party",type="presence.%s"}'
            assert (now[sent % "snapshot"], now[sent % "update"]) == (1, 1)
        # Nobody heartbeats: everyone is removed at the TTL.
        await world.advance(mock_clock, limits.ghost_ttl_s + limits.sweep_interval_s)
        await first.send("presence.heartbeat")
        assert (await first.next())["code"] == "not_present"
    after = await _metrics(world)
    assert after['vvtv_presence_members{ecosystem="party"}'] == 0
    assert after['vvtv_presence_watchers{ecosystem="party"}'] == 0
    assert after['vvtv_presence_expired_total{ecosystem="party"}'] == 2
    assert after['vvtv_presence_expired_total{ecosystem="live_public"}'] == 1
    assert after['vvtv_presence_refusals_total{code="not_present",ecosystem="party"}'] == 1

    text = (await (await world.client.get("/metrics")).get_data()).decode()
    promtool = shutil.which("promtool")
    assert promtool, "promtool is installed by scripts/test (Debian package prometheus)"
    check = await trio.to_thread.run_sync(
        lambda: subprocess.run(
            [promtool, "check", "metrics"], input=text, capture_output=True, text=True
        )
    )
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "")
