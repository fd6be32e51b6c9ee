"""THB-4: when a viewer's link is poor enough to step its tiles down to the profile's degraded
rendition (on the same connection), and good for long enough to step back up.

Each sample is what the SFU measured of the viewer's pool since the one before: the packets its
receiver reported expected and lost, and the worst jitter (RTCP receiver reports, which every
receiver sends). A sample is bad if either is past its threshold, good only if both are comfortably
within (the recover thresholds are stricter than the degrade ones), and says nothing if too few
packets were reported to judge. REMB is not judged: browsers send transport-wide feedback instead,
and aiortc's estimate starts below the rate it receives, so it would step healthy links down.

    top:       `bad_samples` bad samples in a row     → step down
    degraded:  good samples for `recover_after_s`      → step up; any bad sample restarts the wait

Two thresholds and a wait are the hysteresis: a link hovering at one threshold does not flap.
"""

from __future__ import annotations

from typing import Literal

from vvtv.domain.values import frozen

Step = Literal["down", "up"]
Verdict = Literal["bad", "good", "unsure"]


@frozen
class QualityRules:
    loss_above: float  # a fraction of packets: at or above it, a sample is bad
    jitter_above_ms: float
    bad_samples: int  # in a row, to step down
    recover_loss_below: float  # every good sample is under both of these
    recover_jitter_below_ms: float
    recover_after_s: float  # good samples for this long, to step up
    min_packets: int  # fewer reported in a sample: it says nothing about loss


@frozen
class LinkSample:
    packets_expected: int
    packets_lost: int
    jitter_ms: float | None  # None: no receiver report in the sample


@frozen
class Link:
    degraded: bool = False
    bad_streak: int = 0
    good_since: float | None = None


def verdict(sample: LinkSample, rules: QualityRules) -> Verdict:
    enough = sample.packets_expected >= rules.min_packets
    loss = sample.packets_lost / sample.packets_expected if sample.packets_expected else 0.0
    jitter = sample.jitter_ms
    if (enough and loss >= rules.loss_above) or (
        jitter is not None and jitter >= rules.jitter_above_ms
    ):
        return "bad"
    calm = jitter is None or jitter < rules.recover_jitter_below_ms
    return "good" if enough and loss < rules.recover_loss_below and calm else "unsure"


def assess(
    link: Link, sample: LinkSample, now: float, rules: QualityRules
) -> tuple[Link, Step | None]:
    """The link after `sample` (taken at `now`), and the step to take now, if any."""
    judged = verdict(sample, rules)
    if not link.degraded:
        if judged != "bad":
            return Link(bad_streak=0) if judged == "good" else link, None
        streak = link.bad_streak + 1
        if streak >= rules.bad_samples:
            return Link(degraded=True), "down"
        return Link(bad_streak=streak), None
    if judged == "bad":
        return Link(degraded=True), None
    if judged == "unsure":
        return link, None
    since = link.good_since if link.good_since is not None else now
    if now - since >= rules.recover_after_s:
        return Link(), "up"
    return Link(degraded=True, good_since=since), None
