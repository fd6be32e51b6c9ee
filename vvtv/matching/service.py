"""The matching service: the one entry point of the matching routes and of the other contexts'
hooks (a socket closing, a block, a ban, a call ending), over the matching actor.

A join is checked against config (Random on and open, at most presence.max_tags tags) and the
kill-switch ladder (Random paused while it would refuse Random's calls), and identity says whether
the account is quarantined (ABU-4; a new account is told so, a shadow quarantine never: MOD-4/6)
and whom it stands in a block with. A joiner whose last tab closes has matching.socket_grace_s to
come back (a reload) before it counts as leaving.
Only here is a match `Agreement` made (INV-2): for each pair the actor decides, the service asks
the orchestrator for the `random` call (MAT-2), beside the mailbox so deciding never waits for
it, and tells the actor what became of it. It ends the calls the actor ends (a skip, a leave, a
block) as the participant who ended them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable
from collections.abc import Callable
from typing import TypeVar

import trio

from vvtv.actors import ActorUnavailable
from vvtv.actors import MailboxFull
from vvtv.actors import Registry
from vvtv.actors import ShuttingDown
from vvtv.config import ConfigBundle
from vvtv.contracts.events import SessionStateChanged
from vvtv.contracts.matching import JoinMatch
from vvtv.contracts.matching import MatchQuarantine
from vvtv.contracts.matching import MatchState
from vvtv.contracts.sessions import CreateSession
from vvtv.contracts.sessions import EndSession
from vvtv.domain.accounts import Principal
from vvtv.domain.agreements import Agreement
from vvtv.domain.agreements import AgreementPorts
from vvtv.domain.matching.book import Book
from vvtv.domain.matching.messages import Block
from vvtv.domain.matching.messages import CallFailed
from vvtv.domain.matching.messages import CallStarted
from vvtv.domain.matching.messages import EndCall
from vvtv.domain.matching.messages import EndedBy
from vvtv.domain.matching.messages import Flagged
from vvtv.domain.matching.messages import Join
from vvtv.domain.matching.messages import Leave
from vvtv.domain.matching.messages import Look
from vvtv.domain.matching.messages import Message
from vvtv.domain.matching.messages import Pause
from vvtv.domain.matching.messages import SessionEnded
from vvtv.domain.matching.messages import Skip
from vvtv.domain.matching.messages import StartCall
from vvtv.domain.matching.messages import Tick
from vvtv.domain.matching.rules import MatchRules
from vvtv.errors import VvtvError
from vvtv.matching.actor import KIND
from vvtv.matching.actor import Calls
from vvtv.matching.actor import MatchActor
from vvtv.matching.actor import MatchHooks
from vvtv.matching.actor import People
from vvtv.matching.actor import QueuePorts
from vvtv.matching.errors import AccountTooNew
from vvtv.matching.errors import RandomClosed
from vvtv.matching.errors import TooManyTags
from vvtv.matching.wakes import Wake

log = logging.getLogger(__name__)

# The sign-in a call is ended under when matching ends it for a participant (a skip, a leave,
# a block, a lost tab): the participant's own, as far as the orchestrator is concerned.
ENDED_BY_MATCHING = "matching"

T = TypeVar("T")


def match_mode(config: ConfigBundle) -> str:
    """The mode a match starts: the manifests' match-gated one. Its ecosystem is its own, so its
    queue cannot hold anyone from Party's (INV-5)."""
    gated = [name for name, mode in config.modes.modes.items() if mode.policies.requires_match]
    if len(gated) != 1:
        raise ValueError(f"matching needs exactly one mode that requires a match, got {gated}")
    ecosystem = config.modes.modes[gated[0]].ecosystem
    shared = [
        n for n, m in config.modes.modes.items() if m.ecosystem == ecosystem and n not in gated
    ]
    if shared:
        raise ValueError(f"the {gated[0]} mode's ecosystem {ecosystem!r} is shared with {shared}")
    return gated[0]


def rules_of(config: ConfigBundle) -> MatchRules:
    limits = config.limits
    abuse, matching = limits.anti_abuse, limits.matching
    return MatchRules(
        cooldown_schedule_s=abuse.cooldown_schedule_s,
        quick_skip_window_s=abuse.quick_skip_window_s,
        min_time_before_skip_s=abuse.min_time_before_skip_ms / 1000,
        reconnects_per_minute=abuse.reconnect.attempts_per_minute,
        reconnect_backoff_s=abuse.reconnect.backoff_s,
        max_matches_per_hour=abuse.max_matches_per_hour,
        quarantine_max_matches_per_hour=abuse.quarantine.max_matches_per_hour,
        max_skips_per_minute=limits.kill_switches.max_skips_per_minute,
        relax_after_s=matching.relax_after_s,
        no_repeat_window_s=matching.no_repeat_window_s,
        call_failed_pause_s=matching.call_failed_pause_s,
    )


class Matching:
    def __init__(
        self,
        registry: Registry,
        config: ConfigBundle,
        queue: QueuePorts,
        ports: AgreementPorts[People, Calls],
    ) -> None:
        self._registry = registry
        self._queue = queue
        self._ports = ports
        self._mode = match_mode(config)
        limits = config.limits
        self._open = (
            limits.feature_flags.random and not limits.kill_switches.block_new_random_sessions
        )
        self._max_tags = limits.presence.max_tags
        quarantine = limits.anti_abuse.quarantine
        self._quarantine_profile = quarantine.reduced_profile
        self._grace_s = limits.matching.socket_grace_s
        self._book = Book(uuid.uuid4().hex[:8])
        self._sessions: set[str] = set()  # the calls made for matches, until they end
        self._on_socket: set[str] = set()  # joined with a tab open: the last one closing leaves
        # Joiners with no tab left -> their grace, a cancel scope whose deadline is when they
        # leave: a later close moves it, a leave or a ban cancels it.
        self._away: dict[str, trio.CancelScope] = {}
        self._admit: Callable[[str], None] = lambda mode: None
        self._paused = False
        self._nursery: trio.Nursery | None = None
        self.wake = Wake(self._tick)
        rules = rules_of(config)
        told = MatchQuarantine(
            account_age_days=quarantine.account_age_days,
            max_matches_per_hour=rules.hourly_cap(True),
            max_video_bitrate_kbps=quarantine.max_video_bitrate_kbps,
            max_fps=quarantine.max_fps,
        )
        hooks = MatchHooks(start_call=self._start_soon, end_call=self._end_soon, wake=self.wake.set)
        registry.register(KIND, lambda key: MatchActor(self._book, rules, queue, hooks, told))

    async def run(self) -> None:
        """Run the wake-ups and the calls being started and ended until cancelled, supervised
        by the actor kernel."""
        await self._registry.supervise("matching calls", self._run)

    async def _run(self) -> None:
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                await self.wake.run()
        finally:
            self._nursery = None

    # -- the API ----------------------------------------------------------------------------------

    async def join(self, principal: Principal, body: JoinMatch) -> MatchState:
        """MAT-1: search (or change what you search for); the pairing happens at once if it can."""
        if not self._open:
            raise RandomClosed("Random is closed for now; try again later.")
        if not self._admitted():
            raise RandomClosed("Random is paused for a moment; try again later.")
        if len(body.tags) > self._max_tags:
            raise TooManyTags(f"Name at most {self._max_tags} tags.", path="$.tags")
        user = principal.user_id
        min_age_days = self._ports.gates().random_min_account_age_days
        if min_age_days > 0 and self._ports.people.account_age_days(user) < min_age_days:
            raise AccountTooNew(
                f"Random is for accounts at least {min_age_days:g} days old for now (Shield Mode).",
                path="$",
            )
        if self._ports.connections(user) > 0:
            self._on_socket.add(user)
        quarantined, shadow = self._quarantine(user)
        join = Join(
            user,
            body.language,
            frozenset(body.tags),
            quarantined,
            self._ports.people.blocked_either_way(user),
            trio.current_time(),
            shadow=shadow,
        )
        return await self._ask(join)

    async def skip(self, principal: Principal) -> MatchState:
        """MAT-5: end the call; you both search again (you after your cooldown, ABU-1)."""
        return await self._ask(Skip(principal.user_id, trio.current_time()))

    async def leave(self, principal: Principal) -> MatchState:
        """Stop: out of the queue, or out of the call (the other one searches again)."""
        self._forget_tabs(principal.user_id)
        return await self._ask(Leave(principal.user_id, "left", trio.current_time()))

    async def state(self, principal: Principal) -> MatchState:
        user = principal.user_id
        return await self._ask(Look(user, trio.current_time(), *self._quarantine(user)))

    def _quarantine(self, user_id: str) -> tuple[bool, bool]:
        """(quarantined, shadow): in the quarantine pool, and whether only by a moderator's
        shadow quarantine, which is applied and never told (MOD-4); a new account's and a
        moderator's visible quarantine are told with their figures (MOD-6)."""
        quarantined = self._ports.people.is_quarantined(user_id)
        return quarantined, quarantined and not self._ports.people.sees_quarantine(user_id)

    # -- what other contexts tell matching --------------------------------------------------------

    def socket_closed(self, connection: str) -> None:
        """A socket closed: whoever joined from a tab and has none left leaves, unless a tab of
        theirs is back within matching.socket_grace_s (a reload: their search or call goes on,
        and no reconnect is counted, ABU-3)."""
        leave_at = trio.current_time() + self._grace_s
        for user in [u for u in self._on_socket if self._ports.connections(u) == 0]:
            grace = self._away.get(user)
            if grace is not None:
                grace.deadline = leave_at  # from the latest tab to close
                continue
            self._away[user] = grace = trio.CancelScope(deadline=leave_at)
            self._soon(self._leave_unless_back, (user, grace))

    async def _leave_unless_back(self, away: tuple[str, trio.CancelScope]) -> None:
        user, grace = away
        with grace:
            await trio.sleep_forever()
        if self._away.get(user) is not grace:
            return  # they left, or were banned, meanwhile
        del self._away[user]
        if user in self._on_socket and self._ports.connections(user) == 0:
            self._on_socket.discard(user)
            await self._send(Leave(user, "disconnected", trio.current_time()))

    def _forget_tabs(self, user: str) -> None:
        """`user` left or was banned: their tabs no longer keep them, no grace runs out."""
        self._on_socket.discard(user)
        grace = self._away.pop(user, None)
        if grace is not None:
            grace.cancel()

    def admit_with(self, admit: Callable[[str], None]) -> None:
        """The kill-switch ladder's admission of a new session of a mode (it raises when not):
        while Random's is refused (`random_paused`, `new_calls_refused`), Random is paused."""
        self._admit = admit
        self.ladder_changed()

    def ladder_changed(self, level: int | None = None) -> None:
        """The ladder moved: pause Random (the queue is stopped, each told `random_closed`) or
        let it run again (joins work)."""
        paused = not self._admitted()
        if paused != self._paused:
            self._paused = paused
            self._deliver(Pause(paused, trio.current_time()))

    def _admitted(self) -> bool:
        try:
            self._admit(self._mode)
        except VvtvError:
            return False
        return True

    def block_changed(self, a: str, b: str, blocked: bool) -> None:
        """Identity's `on_block`: the two are no longer candidates for each other, at once, and a
        call between them ends (MOD-2)."""
        self._deliver(Block(a, b, blocked, trio.current_time()))

    async def flagged(self, user_id: str, session_id: str, cooldown_s: float) -> bool:
        """The frame checks' (issue 16): if `session_id` is a call of Random's, it ends as
        `user_id`'s skip and they cool down `cooldown_s`; True if it was."""
        if session_id not in self._sessions:
            return False
        await self._send(Flagged(user_id, cooldown_s, trio.current_time()))
        return True

    async def banned(self, user_id: str, until: str | None) -> None:
        """Identity's `on_ban`: out of the queue and of any call."""
        self._forget_tabs(user_id)
        await self._send(Leave(user_id, "banned", trio.current_time()))

    def session_changed(self, event: SessionStateChanged) -> None:
        """The orchestrator's `session.state`: a call of ours that ends outside matching ends its
        match, as its `ended_by` participant's skip or leave (a silence, a transition), else as
        nobody's (both search again)."""
        if event.state in ("ending", "ended", "failed") and event.session_id in self._sessions:
            self._sessions.discard(event.session_id)
            now = trio.current_time()
            by = event.ended_by
            ended_by = None if by is None else EndedBy(by, event.reason)
            self._deliver(SessionEnded(event.session_id, now, ended_by))

    # -- the calls, beside the mailbox ------------------------------------------------------------

    def _start_soon(self, start: StartCall) -> None:
        self._soon(self._start, start)

    def _end_soon(self, end: EndCall) -> None:
        self._soon(self._end, end)

    async def _start(self, start: StartCall) -> None:
        # The one place a match Agreement is made (INV-2): a pair the matching actor decided.
        agreement = Agreement(gate="match", ref=start.match_id, participants=start.users)
        body = CreateSession(
            mode=self._mode,
            audience_type="one_to_one",
            stream_transport="webrtc",
            intent_label=self._mode,
            # ABU-4: new accounts meet at the quarantine's profile: the forced one, its video
            # capped at anti_abuse.quarantine's bitrate and fps (the config derives it).
            media_profile=self._quarantine_profile if start.pool == "quarantine" else None,
        )
        try:
            view = await self._ports.calls.create_agreed(agreement, body)
        except VvtvError as error:
            log.warning("match %s: its call could not start: %s", start.match_id, error.message)
            self._queue.metrics.call_failures.inc()
            await self._send(CallFailed(start.match_id, trio.current_time()))
            return
        self._sessions.add(view.id)
        await self._send(CallStarted(start.match_id, view.id, start.users, trio.current_time()))

    async def _end(self, end: EndCall) -> None:
        self._sessions.discard(end.session_id)
        principal = Principal(user_id=end.by, role="user", auth_session_id=ENDED_BY_MATCHING)
        try:
            await self._ports.calls.end(principal, end.session_id, EndSession(reason=end.reason))
        except VvtvError as error:
            # Already ending by itself (a timeout, the other side's own end): nothing to undo.
            log.info("call %s was not ended by matching: %s", end.session_id, error.message)
            return

    # -- delivery ---------------------------------------------------------------------------------

    async def _ask(self, message: Message) -> MatchState:
        state: MatchState = await self._registry.ask(KIND, self._mode, message)
        return state

    def _deliver(self, message: Message) -> None:
        """Now if the mailbox has room, else as soon as it has: a leave or a block is never lost."""
        try:
            self._registry.tell(KIND, self._mode, message)
        except MailboxFull:
            self._soon(self._send, message)
        except ShuttingDown:
            pass

    async def _send(self, message: Message) -> None:
        try:
            await self._registry.send(KIND, self._mode, message)
        except (ShuttingDown, ActorUnavailable) as gone:
            log.warning("matching did not get %s: %s", type(message).__name__, gone)

    async def _tick(self) -> None:
        await self._send(Tick(trio.current_time()))

    def _soon(self, task: Callable[[T], Awaitable[None]], arg: T) -> None:
        if self._nursery is None:
            log.warning("matching is not running: %s dropped", type(arg).__name__)
            return
        self._nursery.start_soon(task, arg)
