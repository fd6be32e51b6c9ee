"""The cost meter on trio's MockClock with a fake load (TEL-4, THB-6, INV-10): every mode's
estimate beside the bytes really sent, the channel's HLS bytes, money at config's price."""

from __future__ import annotations

from collections import Counter

import pytest
import trio
from prometheus_client import CollectorRegistry

from vvtv.actors import open_running
from vvtv.clock import utc_now
from vvtv.config import ConfigBundle
from vvtv.cost.metrics import CostMetrics
from vvtv.cost.service import CostMeter
from vvtv.cost.service import CostPorts
from vvtv.cost.service import session_loads
from vvtv.domain.cost import ModeLoad


class FakeLoad:
    """Sessions per mode, and byte counters that grow at what each mode's profile allows."""

    def __init__(self, config: ConfigBundle) -> None:
        self.active: Counter[str] = Counter()
        self.sfu: Counter[str] = Counter()
        self.hls = 0
        self._loads = session_loads(config)

    async def loads(self) -> list[ModeLoad]:
        return self._loads(self.active)


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.mark.req("TEL-4", "THB-6", "INV-10")
async def test_estimate_and_measured_side_by_side_per_mode_with_money(
    config_bundle: ConfigBundle, registry: CollectorRegistry, autojump_clock: trio.abc.Clock
) -> None:
    load = FakeLoad(config_bundle)
    meter = CostMeter(
        config_bundle,
        CostPorts(
            loads=load.loads,
            sfu_bytes=lambda: load.sfu,
            channel_bytes=lambda: load.hls,
            clock=utc_now,
            metrics=CostMetrics(registry),
        ),
    )
    cost = config_bundle.limits.cost
    load.active.update({"party": 100, "random": 10})
    async with open_running(meter, name="cost meter"):
        # 100 tiles at 180 kbps, 10 calls at 632 kbps each way, the channel at 2 Mbps: for a
        # window and a bit, measured at exactly the ceilings the estimate assumes. Bytes move
        # half-way between two samples, as real traffic would, never at a sample's instant.
        await trio.sleep(cost.sample_interval_s / 2)
        for _ in range(int(cost.rate_window_s / cost.sample_interval_s) + 2):
            load.sfu["thumb_low"] += int(100 * 180_000 / 8 * cost.sample_interval_s)
            load.sfu["call_random_fast"] += int(2 * 10 * 632_000 / 8 * cost.sample_interval_s)
            load.hls += int(2_000_000 / 8 * cost.sample_interval_s)
            await trio.sleep(cost.sample_interval_s)
        report = meter.report()
    lines = {line.mode: line for line in report.lines}
    assert set(lines) == {"broadcast", "party", "random"}
    assert lines["party"].estimated_gb_per_hour == pytest.approx(0.439 * 0.18 * 100)
    assert lines["random"].estimated_gb_per_hour == pytest.approx(0.439 * 0.632 * 10 * 2)
    for mode in ("party", "random"):
        assert lines[mode].measured_gb_per_hour == pytest.approx(
            lines[mode].estimated_gb_per_hour, rel=0.01
        )
    assert lines["broadcast"].estimated_gb_per_hour == 0
    assert lines["broadcast"].measured_gb_per_hour == pytest.approx(0.439 * 2.0, rel=0.01)
    assert report.price_per_gb_usd == cost.price_per_gb_usd == 0.05
    assert lines["party"].estimated_usd_per_hour == pytest.approx(
        lines["party"].estimated_gb_per_hour * 0.05
    )
    assert report.total_measured_gb_per_hour == pytest.approx(
        sum(line.measured_gb_per_hour for line in lines.values())
    )
    assert report.ceiling_gb_per_hour == 50.0

    # The series are in bytes per second: the estimate of 100 tiles is 100 x 180 kbps / 8.
    sample = registry.get_sample_value
    party = sample("vvtv_cost_egress_bytes_per_second", {"mode": "party", "source": "estimated"})
    assert party == pytest.approx(100 * 180_000 / 8)
    assert sample("vvtv_cost_measured_egress_bytes_total", {"mode": "broadcast"}) == load.hls
    ceiling = sample("vvtv_cost_egress_ceiling_bytes_per_second", {})
    assert ceiling == pytest.approx(50.0 / 0.439 * 1_000_000 / 8)
    assert sample("vvtv_cost_egress_alert_bytes_per_second", {}) == pytest.approx(0.8 * ceiling)
    assert sample("vvtv_cost_usd_per_hour", {"mode": "party", "source": "estimated"}) == (
        pytest.approx(7.902 * 0.05)
    )
