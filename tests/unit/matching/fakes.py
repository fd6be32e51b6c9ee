"""The matching service over a real actor registry with fake neighbours: identity (who is
quarantined, whose quarantine is a moderator's shadow one, who blocks whom), the orchestrator
(calls made and ended, instantly), the socket hub (events per user, open tabs) and the
kill-switch ladder (Random's calls admitted or not). For tests on trio's MockClock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

import msgspec
import pytest
import trio
import trio.testing
from msgspec.structs import replace
from prometheus_client import CollectorRegistry

from vvtv.actors import open_registry
from vvtv.actors import open_running
from vvtv.config import ConfigBundle
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.identity import UserView
from vvtv.contracts.matching import JoinMatch
from vvtv.contracts.matching import MatchState
from vvtv.contracts.sessions import CreateSession
from vvtv.contracts.sessions import EndSession
from vvtv.contracts.sessions import PolicySnapshot
from vvtv.contracts.sessions import SessionView
from vvtv.domain.accounts import Principal
from vvtv.domain.agreements import Agreement
from vvtv.domain.agreements import AgreementPorts
from vvtv.errors import TooManyRequests
from vvtv.errors import Unavailable
from vvtv.matching.actor import QueuePorts
from vvtv.matching.metrics import MatchingMetrics
from vvtv.matching.service import Matching
from vvtv.observability.events import ServerEvents
from vvtv.runtime import actor_settings

EPOCH = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass
class Neighbours:
    quarantined: set[str] = field(default_factory=set)
    shadowed: set[str] = field(default_factory=set)  # of the quarantined: by a moderator (MOD-4)
    blocks: set[frozenset[str]] = field(default_factory=set)
    tabs: dict[str, int] = field(default_factory=dict)
    events: list[tuple[str, ServerEvent]] = field(default_factory=list)
    made: dict[str, tuple[Agreement, CreateSession]] = field(default_factory=dict)
    ended: list[tuple[str, str, str]] = field(default_factory=list)  # session, by, reason
    fail_calls: bool = False

    # -- identity ------------------------------------------------------------------------------

    def user_view(self, user_id: str) -> UserView:
        raise NotImplementedError

    def is_quarantined(self, user_id: str) -> bool:
        return user_id in self.quarantined

    def sees_quarantine(self, user_id: str) -> bool:
        return user_id in self.quarantined - self.shadowed

    def blocked_either_way(self, user_id: str) -> frozenset[str]:
        return frozenset(o for pair in self.blocks if user_id in pair for o in pair - {user_id})

    # -- the orchestrator ------------------------------------------------------------------------

    async def create_agreed(self, agreement: Agreement, body: CreateSession) -> SessionView:
        if self.fail_calls:
            raise Unavailable("No calls now.", code="kill_switch")
        session_id = f"s{len(self.made) + 1}"
        self.made[session_id] = (agreement, body)
        return _view(session_id, body, agreement.participants)

    async def end(self, principal: Principal, session_id: str, body: EndSession) -> SessionView:
        self.ended.append((session_id, principal.user_id, body.reason))
        agreement, made = self.made[session_id]
        return replace(_view(session_id, made, agreement.participants), ended_at=EPOCH)

    # -- what a user was told --------------------------------------------------------------------

    def told(self, user_id: str, *types: str) -> list[dict[str, Any]]:
        """The `match.*` events `user_id` got, as JSON, oldest first."""
        mine = [msgspec.to_builtins(e) for u, e in self.events if u == user_id]
        return [e for e in mine if not types or e["type"] in types]

    def last(self, user_id: str) -> str:
        return str(self.told(user_id)[-1]["type"])


def _view(session_id: str, body: CreateSession, participants: tuple[str, ...]) -> SessionView:
    return SessionView(
        id=session_id,
        mode=body.mode,
        audience_type=body.audience_type,
        stream_transport=body.stream_transport,
        intent_label=body.intent_label,
        state="active",
        media_profile=body.media_profile or "call_random_fast",
        participants=list(participants),
        policy=PolicySnapshot(config_version="test"),
        created_at=EPOCH,
    )


class Random:
    """Calls as the routes make them, one user at a time; each returns once the calls it asked
    for are made or ended (they run beside the mailbox)."""

    def __init__(self, matching: Matching, neighbours: Neighbours) -> None:
        self.matching = matching
        self.n = neighbours

    async def join(self, user: str, *tags: str, language: str | None = "en") -> MatchState:
        body = JoinMatch(language=language, tags=list(tags))
        return await self._settled(self.matching.join(_principal(user), body))

    async def skip(self, user: str) -> MatchState:
        return await self._settled(self.matching.skip(_principal(user)))

    async def leave(self, user: str) -> MatchState:
        return await self._settled(self.matching.leave(_principal(user)))

    async def state(self, user: str) -> MatchState:
        return await self.matching.state(_principal(user))

    async def meet(self, user: str, peer: str) -> str:
        """`peer` arrives and meets `user`, who is searching; the call is made at once: its id."""
        await self.join(peer)
        await trio.testing.wait_all_tasks_blocked()
        state = await self.state(user)
        assert state.status == "in_call", state
        assert state.peer is not None
        assert state.peer.user_id == peer
        assert state.session_id is not None
        return state.session_id

    def refusals(self, code: str) -> float:
        """How many refusals of `code` the metric counted."""
        metric = self.matching._queue.metrics.refusals.labels(code)
        return float(metric._value.get())

    @staticmethod
    async def _settled(call: Awaitable[MatchState]) -> MatchState:
        try:
            return await call
        finally:
            await trio.testing.wait_all_tasks_blocked()


async def expect_refused(call: Awaitable[object], code: str) -> TooManyRequests:
    """`call` is refused with a 429 of `code`: the error, with its wait."""
    with pytest.raises(TooManyRequests) as refusal:
        await call
    assert refusal.value.code == code
    return refusal.value


class Ladder:
    """The kill-switch ladder as matching sees it: Random's calls admitted, or not."""

    def __init__(self) -> None:
        self.paused = False

    def admit(self, mode: str) -> None:
        if self.paused:
            raise Unavailable(f"{mode} is paused.", code="kill_switch")


def _principal(user: str) -> Principal:
    return Principal(user_id=user, role="user", auth_session_id=f"sign-in-{user}")


@asynccontextmanager
async def open_random(config: ConfigBundle, **neighbours: Any) -> AsyncIterator[Random]:
    fakes = Neighbours(**neighbours)
    registry_metrics = CollectorRegistry()
    queue = QueuePorts(
        notify=lambda user, event: fakes.events.append((user, event)),
        handle_of=lambda user: f"@{user}",
        clock=lambda: EPOCH,
        events=ServerEvents(config.telemetry.events, registry_metrics),
        metrics=MatchingMetrics(registry_metrics),
    )
    ports = AgreementPorts(
        people=fakes, calls=fakes, connections=lambda user: fakes.tabs.get(user, 0)
    )
    async with open_registry(actor_settings(config)) as registry:
        matching = Matching(registry, config, queue, ports)
        async with open_running(matching, name="matching calls"):
            yield Random(matching, fakes)
