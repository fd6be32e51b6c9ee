"""The matching actor (kind `matching`, one key: the match-gated mode): a thin loop over
`decide` that performs its effects: events to each person's tabs, the calls to start and end
(through the service, which holds the agreement: INV-2), telemetry and metrics, its next wake.

Why one actor for every segment: a person's cooldowns, caps, recent peers and being in at most
one match span segments (a second tab may join in another language), and one owner makes those
a property of one mailbox instead of a protocol between actors. A decision costs microseconds
(scripts/bench/match); making the call, the slow part, happens outside the mailbox.

The book outlives the actor instance: the kernel passivates an idle actor, and people may wait
longer than that with nothing due (their only possible peers blocked), so the service keeps the
book and hands it to every instance.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import ClassVar
from typing import Protocol

import trio
from prometheus_client import CollectorRegistry

from vvtv.actors import BaseActor
from vvtv.clock import WallClock
from vvtv.clock import trio_origin
from vvtv.contracts.events import MatchCooldown
from vvtv.contracts.events import MatchEnded
from vvtv.contracts.events import MatchFound
from vvtv.contracts.events import MatchRefused
from vvtv.contracts.events import MatchSearching
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.identity import UserView
from vvtv.contracts.matching import MatchPeer
from vvtv.contracts.matching import MatchQuarantine
from vvtv.contracts.matching import MatchState
from vvtv.contracts.sessions import EndSession
from vvtv.contracts.sessions import SessionView
from vvtv.domain.accounts import Principal
from vvtv.domain.agreements import AgreedCalls
from vvtv.domain.matching.book import Book
from vvtv.domain.matching.decide import decide
from vvtv.domain.matching.ledger import RefusalCode
from vvtv.domain.matching.messages import CoolingDown
from vvtv.domain.matching.messages import Effect
from vvtv.domain.matching.messages import Emit
from vvtv.domain.matching.messages import EndCall
from vvtv.domain.matching.messages import Ended
from vvtv.domain.matching.messages import Found
from vvtv.domain.matching.messages import Message
from vvtv.domain.matching.messages import Paired
from vvtv.domain.matching.messages import Queued
from vvtv.domain.matching.messages import Refuse
from vvtv.domain.matching.messages import Refused
from vvtv.domain.matching.messages import Reply
from vvtv.domain.matching.messages import Searching
from vvtv.domain.matching.messages import Standing
from vvtv.domain.matching.messages import StartCall
from vvtv.domain.matching.rules import MatchRules
from vvtv.domain.timer import WakeAt
from vvtv.domain.values import frozen
from vvtv.errors import TooManyRequests
from vvtv.errors import VvtvError
from vvtv.errors import by_code
from vvtv.matching.errors import CoolingDown as CoolingDownError
from vvtv.matching.errors import HourlyCap
from vvtv.matching.errors import InMatch
from vvtv.matching.errors import NotInCall
from vvtv.matching.errors import RandomClosed
from vvtv.matching.errors import ReconnectBudget
from vvtv.matching.errors import SkipKillSwitch
from vvtv.matching.errors import TooEarly
from vvtv.matching.metrics import MatchingMetrics
from vvtv.observability.events import ServerEvents

KIND = "matching"

REFUSALS: Mapping[str, type[VvtvError]] = by_code(
    CoolingDownError,
    TooEarly,
    HourlyCap,
    ReconnectBudget,
    SkipKillSwitch,
    InMatch,
    NotInCall,
    RandomClosed,
)


class People(Protocol):
    """What matching asks identity about a user, as of now."""

    def user_view(self, user_id: str) -> UserView: ...
    def is_quarantined(self, user_id: str) -> bool: ...
    def sees_quarantine(self, user_id: str) -> bool: ...
    def account_age_days(self, user_id: str) -> float: ...
    def blocked_either_way(self, user_id: str) -> frozenset[str]: ...


class Calls(AgreedCalls, Protocol):
    """The orchestrator's entry points for agreed calls (INV-2) and for ending one."""

    async def end(self, principal: Principal, session_id: str, body: EndSession) -> SessionView: ...


@frozen
class QueuePorts:
    """What the queue's actor reaches outside itself: only telling and counting."""

    notify: Callable[[str, ServerEvent], None]  # to every socket of one user
    handle_of: Callable[[str], str]
    clock: WallClock  # the wire's times; decisions run on trio's clock
    events: ServerEvents
    metrics: MatchingMetrics = field(default_factory=lambda: MatchingMetrics(CollectorRegistry()))


@frozen
class MatchHooks:
    """What the service lends the actor: its call starter and ender (they run beside the
    mailbox, and answer with `CallStarted` / `CallFailed`) and the wake-up timer."""

    start_call: Callable[[StartCall], None]
    end_call: Callable[[EndCall], None]
    wake: Callable[[float | None], None]


class MatchActor(BaseActor):
    """Replies with the asker's `MatchState`; refusals raise. `quarantine` is what a new account
    is told limits it (MOD-6)."""

    kind: ClassVar[str] = KIND

    def __init__(
        self,
        book: Book,
        rules: MatchRules,
        ports: QueuePorts,
        hooks: MatchHooks,
        quarantine: MatchQuarantine,
    ):
        self._book = book
        self._rules = rules
        self._ports = ports
        self._hooks = hooks
        self._quarantine = quarantine
        self._origin = trio_origin(ports.clock)

    async def handle(self, message: Message) -> MatchState | None:
        self._origin = trio_origin(self._ports.clock)
        effects = decide(self._book, message, self._rules)
        reply: Standing | None = None
        refusal: VvtvError | None = None
        for effect in effects:
            match effect:
                case Reply(standing):
                    reply = standing
                case Refuse(refused):
                    self._ports.metrics.refusals.labels(refused.code).inc()
                    refusal = _error(refused.code, refused.text, refused.retry_after_s)
                case _:
                    self._perform(effect)
        self._ports.metrics.searching.set(self._book.searching)
        if refusal is not None:
            raise refusal
        return None if reply is None else self.wire(reply)

    def wire(self, standing: Standing) -> MatchState:
        place = standing.place
        queued = place if isinstance(place, Queued) else None
        paired = place if isinstance(place, Paired) else None
        call = None if paired is None else paired.call
        return MatchState(
            status=standing.status,
            language=standing.language,
            tags=list(standing.tags),
            searching_since=None if queued is None else self._wall(queued.since),
            cooldown_until=self._at(standing.cooldown_until),
            match_id=None if paired is None else paired.match_id,
            session_id=None if call is None else call.session_id,
            peer=None if paired is None else self._peer(paired.peer_id),
            skip_allowed_at=None if call is None else self._wall(call.skip_allowed_at),
            next_cooldown_s=standing.next_cooldown_s,
            matches_left=standing.matches_left,
            quarantine=self._quarantine if standing.quarantined else None,
        )

    def _perform(self, effect: Effect) -> None:
        ports, metrics = self._ports, self._ports.metrics
        match effect:
            case Searching(user_id, since, language):
                ports.notify(user_id, MatchSearching(since=self._wall(since), language=language))
            case Found(user_id, match_id, session_id, peer, skip_at):
                found = MatchFound(
                    match_id=match_id,
                    session_id=session_id,
                    peer=self._peer(peer),
                    skip_allowed_at=self._wall(skip_at),
                )
                ports.notify(user_id, found)
            case CoolingDown(user_id, until, skips):
                seconds = max(0.0, until - trio.current_time())
                cooldown = MatchCooldown(
                    until=self._wall(until), seconds=seconds, skips_in_window=skips
                )
                ports.notify(user_id, cooldown)
            case Ended(user_id, reason, match_id, session_id):
                ended = MatchEnded(reason=reason, match_id=match_id, session_id=session_id)
                ports.notify(user_id, ended)
            case Refused(user_id, refusal):
                metrics.refusals.labels(refusal.code).inc()
                refused = MatchRefused(
                    code=refusal.code, message=refusal.text, retry_after_s=refusal.retry_after_s
                )
                ports.notify(user_id, refused)
            case StartCall(_, _, pool):
                metrics.pairs.labels(pool).inc()
                self._hooks.start_call(effect)
            case EndCall():
                self._hooks.end_call(effect)
            case Emit(name, properties):
                ports.events.emit(name, **properties)
                if name == "match_found":
                    metrics.wait.observe(float(properties["wait_ms"]) / 1000)
                elif name == "match_skip":
                    metrics.skips.inc()
                elif name == "cooldown_started":
                    metrics.cooldowns.inc()
            case WakeAt(at):
                self._hooks.wake(at)

    def _peer(self, user_id: str) -> MatchPeer:
        return MatchPeer(user_id=user_id, handle=self._ports.handle_of(user_id))

    def _wall(self, at: float) -> datetime:
        return self._origin + timedelta(seconds=at)

    def _at(self, at: float | None) -> datetime | None:
        return None if at is None else self._wall(at)


def _error(code: RefusalCode, text: str, retry_after_s: float | None) -> VvtvError:
    kind = REFUSALS[code]
    if issubclass(kind, TooManyRequests):
        return kind(text, retry_after_s=retry_after_s or 0.0)
    return kind(text)
