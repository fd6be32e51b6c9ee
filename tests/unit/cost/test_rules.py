"""The cost rules (TEL-4, THB-6): the SPEC's estimate, measured bytes given to the modes that
receive them, and a rate over a window."""

from __future__ import annotations

import pytest

from vvtv.domain.cost import ModeLoad
from vvtv.domain.cost import RateWindow
from vvtv.domain.cost import attribute
from vvtv.domain.cost import bytes_per_gb
from vvtv.domain.cost import cost_lines
from vvtv.domain.cost import estimated_gb_per_hour
from vvtv.domain.cost import receivers_of

GB_PER_HOUR_PER_MBPS = 0.439


@pytest.mark.req("TEL-4")
def test_the_estimate_is_0_439_x_mbps_x_viewers_and_random_counts_twice() -> None:
    party = ModeLoad(mode="party", viewers=100, mbps=0.18, direction_factor=1)
    random = ModeLoad(mode="random", viewers=10, mbps=0.632, direction_factor=2)
    assert estimated_gb_per_hour(party, GB_PER_HOUR_PER_MBPS) == pytest.approx(7.902)
    assert estimated_gb_per_hour(random, GB_PER_HOUR_PER_MBPS) == pytest.approx(5.54896)


@pytest.mark.req("TEL-4")
def test_measured_bytes_use_the_gb_the_formula_implies() -> None:
    """1 Mbps sent for an hour reads as 0.439 GB/h measured, as it is estimated."""
    window = RateWindow(window_s=60)
    window.add(0.0, {"party": 0})
    window.add(60.0, {"party": 60 * 1_000_000 // 8})
    lines = cost_lines(
        [ModeLoad("party", 1, 1.0, 1)], window.bytes_per_second(), GB_PER_HOUR_PER_MBPS
    )
    assert lines[0].estimated_gb_per_hour == pytest.approx(0.439)
    assert lines[0].measured_gb_per_hour == pytest.approx(0.439)
    assert bytes_per_gb(GB_PER_HOUR_PER_MBPS) == pytest.approx(1.0250569e9)


def test_the_rate_is_over_the_window_not_since_the_start() -> None:
    window = RateWindow(window_s=10)
    for second in range(0, 31, 5):
        # 100 B/s for 20 s, then 1000 B/s.
        total = 100 * min(second, 20) + 1000 * max(0, second - 20)
        window.add(float(second), {"random": total})
    assert window.bytes_per_second()["random"] == pytest.approx(1000)


def test_a_profile_s_bytes_go_to_the_modes_that_receive_it_by_their_estimates() -> None:
    receivers = receivers_of(
        {"party": "thumb_low", "sniffers": "thumb_low", "random": "call_random_fast",
         "private_call": "call_private"},
        {"thumb_low": "thumb_degraded", "thumb_degraded": None, "call_private": "call_random_fast",
         "call_random_fast": None},
    )  # fmt: skip
    assert receivers == {
        "thumb_low": ("party", "sniffers"),
        "thumb_degraded": ("party", "sniffers"),
        "call_random_fast": ("random", "private_call"),
        "call_private": ("private_call",),
    }
    given = attribute(
        {"thumb_degraded": 1000, "call_random_fast": 999, "call_private": 7},
        receivers,
        {"party": 3.0, "sniffers": 1.0, "random": 0.0, "private_call": 0.0},
    )
    # 3:1 by estimate; nobody weighs anything on calls, so the mode whose own profile it is.
    assert given == {"party": 750, "sniffers": 250, "random": 999, "private_call": 7}
    assert sum(given.values()) == 1000 + 999 + 7
