"""THB-4 as a pure rule: step down after bad samples in a row, back up only after good ones for
long enough (two thresholds and a wait: no flapping)."""

from __future__ import annotations

import pytest

from vvtv.domain.tiles.quality import Link
from vvtv.domain.tiles.quality import LinkSample
from vvtv.domain.tiles.quality import QualityRules
from vvtv.domain.tiles.quality import assess
from vvtv.domain.tiles.quality import verdict

RULES = QualityRules(
    loss_above=0.1,
    jitter_above_ms=80,
    bad_samples=2,
    recover_loss_below=0.02,
    recover_jitter_below_ms=30,
    recover_after_s=8,
    min_packets=10,
)


def sample(lost: int = 0, expected: int = 100, jitter: float | None = 5.0) -> LinkSample:
    return LinkSample(expected, lost, jitter)


def test_what_a_sample_says() -> None:
    assert verdict(sample(lost=10), RULES) == "bad"
    assert verdict(sample(jitter=90), RULES) == "bad"
    assert verdict(sample(lost=5), RULES) == "unsure"  # between the two thresholds
    assert verdict(sample(lost=3, expected=5), RULES) == "unsure"  # too few to judge loss
    assert verdict(sample(expected=0, jitter=None), RULES) == "unsure"
    assert verdict(sample(lost=1), RULES) == "good"


@pytest.mark.req("THB-4")
def test_two_bad_samples_in_a_row_step_down_one_does_not() -> None:
    link, step = assess(Link(), sample(lost=20), 1.0, RULES)
    assert step is None
    link, step = assess(link, sample(), 2.0, RULES)  # a good one in between starts over
    link, step = assess(link, sample(lost=20), 3.0, RULES)
    assert step is None
    link, step = assess(link, sample(lost=20), 4.0, RULES)
    assert (link.degraded, step) == (True, "down")


@pytest.mark.req("THB-4")
def test_back_up_only_after_good_samples_for_the_whole_wait() -> None:
    link = Link(degraded=True)
    for second in range(1, 8):
        link, step = assess(link, sample(), float(second), RULES)
        assert step is None
    link, step = assess(link, sample(lost=20), 8.0, RULES)  # one bad sample restarts the wait
    for second in range(9, 17):
        link, step = assess(link, sample(lost=5), float(second), RULES)  # unsure: no progress
        assert step is None
    assert link.good_since is None
    for second in range(17, 25):
        link, step = assess(link, sample(), float(second), RULES)
        assert step is None
    link, step = assess(link, sample(), 25.0, RULES)
    assert (link, step) == (Link(), "up")
