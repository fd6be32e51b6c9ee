"""What a frame's score does (issue 16, MOD-1): pure rules over config's thresholds."""

from __future__ import annotations

import pytest

from vvtv.config import ConfigBundle
from vvtv.domain.frames.verdict import Flags
from vvtv.domain.frames.verdict import Thresholds
from vvtv.domain.frames.verdict import Verdict


@pytest.fixture
def rules(config_bundle: ConfigBundle) -> Thresholds:
    checks = config_bundle.limits.media.frame_checks
    return Thresholds(
        blur_at=checks.blur_at,
        report_at=checks.report_at,
        end_call_at=checks.end_call_at,
        unblur_after_s=checks.unblur_after_s,
    )


@pytest.mark.req("MOD-1")
def test_each_threshold_adds_its_outcome_and_a_stream_is_reported_once(rules: Thresholds) -> None:
    flags = Flags()
    assert flags.judge("ana", "s1", rules.blur_at - 0.01, 0, rules) == Verdict()
    assert flags.judge("ana", "s1", rules.blur_at, 1, rules) == Verdict(blur=True)
    assert flags.judge("ana", "s1", rules.report_at, 2, rules) == Verdict(report=True)
    assert flags.judge("ana", "s1", rules.end_call_at, 3, rules) == Verdict(end_call=True)
    assert flags.judge("ana", "s2", 1.0, 4, rules) == Verdict(report=True, end_call=True)
    assert flags.is_blurred("ana")
    assert not flags.is_blurred("bea")
    flags.session_ended("s1")
    assert flags.judge("ana", "s1", rules.report_at, 5, rules) == Verdict(report=True)


@pytest.mark.req("MOD-1")
def test_a_blur_clears_on_a_lower_score_only_after_the_hold(rules: Thresholds) -> None:
    flags = Flags()
    flags.judge("ana", "s1", rules.blur_at, 10, rules)
    before = 10 + rules.unblur_after_s - 1
    assert flags.judge("ana", "s1", 0.0, before, rules) == Verdict()
    assert flags.judge("ana", "s1", 0.0, 10 + rules.unblur_after_s, rules) == Verdict(unblur=True)
    assert not flags.is_blurred("ana")
    assert flags.judge("ana", "s1", 0.0, 100, rules) == Verdict()
