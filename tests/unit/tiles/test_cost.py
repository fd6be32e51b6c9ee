"""THB-6 as pure rules: tiles connected x bitrate x time, and the kill switch's alert levels."""

from __future__ import annotations

import pytest

from vvtv.domain.tiles.cost import Ledger
from vvtv.domain.tiles.cost import accrue
from vvtv.domain.tiles.cost import alert_level
from vvtv.domain.tiles.cost import egress_gb_per_hour
from vvtv.domain.tiles.cost import retune


@pytest.mark.req("THB-6")
def test_the_estimate_is_tiles_times_bitrate_times_time_across_changes() -> None:
    ledger = retune(Ledger(at=0.0), 0.0, connected=2, kbps=180)
    ledger = retune(ledger, 10.0, connected=3, kbps=180)  # 2 x 180 kbps x 10 s = 450 000 B
    ledger = retune(ledger, 20.0, connected=3, kbps=60)  # + 3 x 180 kbps x 10 s = 675 000 B
    ledger = accrue(ledger, 30.0)  # + 3 x 60 kbps x 10 s = 225 000 B
    assert ledger.estimated_bytes == pytest.approx(1_350_000)
    assert ledger.rate_kbps == 180


@pytest.mark.req("THB-6", "TEL-4")
def test_the_alert_levels_follow_the_kill_switch_and_its_warning_fraction() -> None:
    gb_h = egress_gb_per_hour(100_000, 0.439, 1)  # 100 Mbps
    assert gb_h == pytest.approx(43.9)
    assert alert_level(gb_h, 50, 0.8) == "warn"
    assert alert_level(gb_h, 40, 0.8) == "trip"
    assert alert_level(gb_h, 60, 0.8) == "ok"
