"""What a frame's score does (issue 16, MOD-1): blur the publisher's tiles for viewers, raise a
report with the still, and in Random end the call. Each outcome includes the milder ones (the
config's validator keeps blur_at <= report_at <= end_call_at)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from vvtv.domain.values import frozen


@frozen
class Thresholds:
    blur_at: float
    report_at: float
    end_call_at: float
    unblur_after_s: float


@frozen
class Verdict:
    blur: bool = False  # the publisher's tiles blur now
    unblur: bool = False  # ... or clear again
    report: bool = False  # a report with the still (once per stream of the publisher)
    end_call: bool = False  # a Random call of theirs ends and they cool down


@dataclass(slots=True)
class Flags:
    """What the checks did about each publisher so far: whose tiles are blurred (since when they
    last scored at or above blur_at) and which of their streams were reported already."""

    blurred: dict[str, float] = field(default_factory=dict)  # publisher -> last high score at
    reported: set[tuple[str, str]] = field(default_factory=set)  # (publisher, session)

    def judge(
        self, publisher: str, session: str, score: float, now: float, rules: Thresholds
    ) -> Verdict:
        if score >= rules.blur_at:
            newly = publisher not in self.blurred
            self.blurred[publisher] = now
            report = score >= rules.report_at and (publisher, session) not in self.reported
            if report:
                self.reported.add((publisher, session))
            return Verdict(blur=newly, report=report, end_call=score >= rules.end_call_at)
        high_at = self.blurred.get(publisher)
        if high_at is not None and now - high_at >= rules.unblur_after_s:
            del self.blurred[publisher]
            return Verdict(unblur=True)
        return Verdict()

    def is_blurred(self, publisher: str) -> bool:
        return publisher in self.blurred

    def session_ended(self, session: str) -> None:
        """A call or tile session ended: a new one of its publishers may be reported again."""
        self.reported = {pair for pair in self.reported if pair[1] != session}
