"""A report's life in the queue, as the report actor's `decide(report, message)`.

    status    Claim (mod)                    Decide (mod)
    open      claimed by mod                 decided
    claimed   by the same mod: kept;         by the claimer: decided;
              another mod: refused           another mod: refused (claimed_by_other)
    decided   refused (already_decided)      refused (already_decided)

A claim tells the other moderators someone is on it; a decision without a claim is allowed (a raid
leaves no time to claim each report), never over someone else's claim."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from datetime import timedelta
from typing import Literal

from vvtv.domain.values import frozen

Status = Literal["open", "claimed", "decided"]
Context = Literal["profile_card", "chat", "random", "private_call", "live", "tile"]
Action = Literal["dismiss", "warn", "quarantine", "shadow_quarantine", "ban"]
# Who raised a report: a person, or the SFU's automated frame checks (no reporter, a score).
Source = Literal["person", "frame_check"]
RefusalCode = Literal["report_not_found", "claimed_by_other", "already_decided"]


@frozen
class Still:
    """The last sampled still of the reported stream (kept for review only, until `expires_at`;
    TEL-3): filled by the SFU's frame checks where the context is video."""

    still_id: str
    jpeg: bytes
    expires_at: datetime


@frozen
class Place:
    """Where a report was made (MOD-1, MOD-5): the surface, the mode, session and thread there,
    and the reported messages, by id only."""

    context: Context
    session_id: str | None = None
    thread_id: str | None = None
    mode_id: str | None = None
    message_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """A report with its MOD-1 metadata: who reported whom, why and where; then who claimed and
    who decided it (each with its moderator and time, so never one without the other) and its
    status from these. A frame check's report has no reporter: its `source` says so, and `score`
    is what the classifier gave."""

    id: int
    created_at: datetime
    reporter_id: str | None  # None: raised by the frame checks
    target_id: str
    reason_code: str
    place: Place
    claim: Claim | None = None  # the claim that holds it
    decision: Decide | None = None  # final once made
    still: Still | None = None
    source: Source = "person"
    score: float | None = None  # the frame check's score (0..1) of the reported still

    @property
    def status(self) -> Status:
        if self.decision is not None:
            return "decided"
        return "open" if self.claim is None else "claimed"


@frozen
class Claim:
    """A moderator's claim of a report: the message, and once accepted the report's hold."""

    moderator_id: str
    at: datetime


@frozen
class Decide:
    """A moderator's decision on a report: the message, and once accepted the report's own."""

    moderator_id: str
    action: Action
    at: datetime


Message = Claim | Decide


@frozen
class Save:
    """Write the report's new state (and answer with it)."""

    report: Report


@frozen
class Keep:
    """Nothing changed (a moderator claiming again what they hold); answer with it."""

    report: Report


@frozen
class Refuse:
    code: RefusalCode
    text: str


Effect = Save | Keep | Refuse


def decide(report: Report | None, message: Message) -> tuple[Report | None, list[Effect]]:
    if report is None:
        return None, [Refuse("report_not_found", "No such report.")]
    if report.status == "decided":
        return report, [Refuse("already_decided", "This report was decided already.")]
    holder = None if report.claim is None else report.claim.moderator_id
    if holder is not None and holder != message.moderator_id:
        return report, [Refuse("claimed_by_other", "Another moderator has claimed this report.")]
    match message:
        case Claim():
            if holder == message.moderator_id:
                return report, [Keep(report)]
            claimed = replace(report, claim=message)
            return claimed, [Save(claimed)]
        case Decide():
            decided = replace(report, decision=message)
            return decided, [Save(decided)]


def stream_context(*, requires_match: bool, requires_consent: bool, live_room: bool) -> Context:
    """Where a stream the frame checks reported was seen, from its session's mode, in the words a
    person's report from there uses: a call from a match is Random's, an invited one is private,
    a live room's is the live room, any other camera is seen as a tile."""
    if requires_match:
        return "random"
    if requires_consent:
        return "private_call"
    return "live" if live_room else "tile"


def still_kept(still: Still | None, now: datetime) -> Still | None:
    """The still while it may be kept for review; past its expiry it is gone (TEL-3)."""
    return still if still is not None and still.expires_at > now else None


def still_expiry(taken_at: datetime, ttl_s: float) -> datetime:
    return taken_at + timedelta(seconds=ttl_s)
