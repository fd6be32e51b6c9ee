"""What a chat message passes before it is sent, beyond its scope's own rules (issue 16): a
running timeout, Shield Mode's gates (new accounts, the live room's age gate), auto-moderation's
rules (hold for review, block, time out), and the rates a quarantined account (MOD-6; untold,
a shadow-quarantined one, MOD-4) and Shield's slow mode add to the scope's (CHT-4).

Timeouts are kept in the database (a restart keeps them) and mirrored here; every hold and
timeout is audited. Shield Mode's sweep times out whoever posted a listed term lately."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterable
from datetime import datetime
from datetime import timedelta
from typing import Protocol

from vvtv.chat.errors import ChatTimedOut
from vvtv.chat.errors import MessageBlocked
from vvtv.chat.errors import MessageHeld
from vvtv.chat.errors import ShieldGated
from vvtv.chat.metrics import ChatMetrics
from vvtv.chat.safety_store import Held
from vvtv.chat.safety_store import SafetyStore
from vvtv.clock import WallClock
from vvtv.config import ConfigBundle
from vvtv.contracts.chat import ChatScope
from vvtv.domain import rate_limit
from vvtv.domain.automod import Automod
from vvtv.domain.automod import Rule
from vvtv.domain.automod import Verdict
from vvtv.domain.chat.thread import Thread
from vvtv.domain.rate_limit import Limit
from vvtv.domain.shield import OPEN
from vvtv.domain.shield import Gates
from vvtv.domain.shield import chat_refusal
from vvtv.domain.values import frozen
from vvtv.observability.audit import AuditRecord

log = logging.getLogger(__name__)

_SHIELD_TEXT = {
    "shield_new_accounts": "New accounts can read chat but not write for now (Shield Mode).",
    "shield_room_gate": "This room is for established accounts for now; you can still read it.",
}


class Standing(Protocol):
    """What the gate asks identity about an author, as of now."""

    def is_new(self, user_id: str) -> bool: ...
    def is_quarantined(self, user_id: str) -> bool: ...
    def account_age_days(self, user_id: str) -> float: ...


@frozen
class GatePorts:
    store: SafetyStore
    people: Standing
    clock: WallClock
    metrics: ChatMetrics
    gates: Callable[[], Gates] = lambda: OPEN  # Shield Mode's, as of now


def automod_of(config: ConfigBundle) -> Automod:
    rules = config.limits.chat.automod.rules
    return Automod(Rule(r.name, r.action, r.words, r.patterns) for r in rules)


class ChatGate:
    def __init__(self, config: ConfigBundle, ports: GatePorts) -> None:
        self._ports = ports
        settings = config.limits.chat.automod
        self._automod = automod_of(config) if settings.enabled else Automod(())
        self._timeout_s = settings.timeout_s
        quarantine = config.limits.anti_abuse.quarantine.chat
        self._quarantine_rate = Limit(quarantine.max_messages, quarantine.window_s)
        self._timeouts: dict[str, datetime] = {}
        self._quarantine_hits: dict[str, tuple[float, ...]] = {}
        self._slow_hits: dict[str, float] = {}

    async def restore(self) -> None:
        """The timeouts still running (a restart keeps them)."""
        self._timeouts = await self._ports.store.timeouts(self._ports.clock())

    async def check(self, author: str, thread: Thread, body: str, client_id: str | None) -> None:
        """Refuse what may not be sent (raises); a held message is stored for review first."""
        now = self._ports.clock()
        until = self._timeouts.get(author)
        if until is not None and until > now:
            wait = (until - now).total_seconds()
            self._ports.metrics.gated.labels(thread.scope, "chat_timed_out").inc()
            raise ChatTimedOut(
                f"You are timed out of chat for {wait:.0f} s more.", retry_after_s=round(wait, 3)
            )
        refusal = chat_refusal(
            self._ports.gates(),
            new_account=self._ports.people.is_new(author),
            account_age_days=self._ports.people.account_age_days(author),
            scope=thread.scope,
        )
        if refusal is not None:
            self._ports.metrics.gated.labels(thread.scope, refusal).inc()
            raise ShieldGated(_SHIELD_TEXT[refusal], code=refusal)
        verdict = self._automod.check(body)
        if verdict is not None:
            await self._apply(verdict, author, thread, body, client_id, now)

    def rate_wait(self, author: str, scope: ChatScope, now: float) -> float | None:
        """Seconds to wait under the quarantine's rate and Shield's slow mode (rooms), or None."""
        waits: list[float] = []
        if self._ports.people.is_quarantined(author):
            hits = self._quarantine_hits.get(author, ())
            if (wait := rate_limit.retry_after(hits, now, self._quarantine_rate)) is not None:
                waits.append(wait)
        slow_s = self._ports.gates().slow_mode_s
        last = self._slow_hits.get(author)
        if slow_s > 0 and scope != "private_1to1" and last is not None and now - last < slow_s:
            waits.append(last + slow_s - now)
        return max(waits, default=None)

    def sent(self, author: str, scope: ChatScope, now: float) -> None:
        """Count a message that passed (the same instant `rate_wait` was asked)."""
        if self._ports.people.is_quarantined(author):
            hits = self._quarantine_hits.get(author, ())
            self._quarantine_hits[author] = rate_limit.record(hits, now, self._quarantine_rate)
        if scope != "private_1to1":
            self._slow_hits[author] = now

    def prune(self, now: float, longest_window_s: float) -> None:
        """Forget senders quiet for longer than any window (the maps stay as big as the active)."""
        window = max(
            longest_window_s, self._quarantine_rate.window_s, self._ports.gates().slow_mode_s
        )
        self._quarantine_hits = {
            u: h for u, h in self._quarantine_hits.items() if h and now - h[-1] < window
        }
        self._slow_hits = {u: t for u, t in self._slow_hits.items() if now - t < window}
        wall = self._ports.clock()
        self._timeouts = {u: t for u, t in self._timeouts.items() if t > wall}

    async def time_out(
        self, users: Iterable[str], seconds: float, *, actor_id: str | None, reason: str,
        detail: dict[str, object],
    ) -> int:  # fmt: skip
        """Silence `users` for `seconds` (a longer running timeout stays), audited each."""
        now = self._ports.clock()
        until = now + timedelta(seconds=seconds)
        chosen = sorted(set(users))
        if not chosen:
            return 0
        audits = [
            AuditRecord(
                at=now,
                actor_id=actor_id,
                action="chat.timeout",
                target_id=user,
                reason=reason,
                detail={**detail, "until": until.isoformat(), "seconds": seconds},
            )
            for user in chosen
        ]
        await self._ports.store.time_out(dict.fromkeys(chosen, until), reason, audits)
        for user in chosen:
            self._timeouts[user] = max(until, self._timeouts.get(user, until))
        self._ports.metrics.timeouts.inc(len(chosen))
        return len(chosen)

    async def sweep(
        self, terms: tuple[str, ...], window_s: float, seconds: float, actor_id: str | None
    ) -> int:
        """Time out whoever posted one of `terms` within `window_s` (Shield Mode's sweep)."""
        listed = Automod((Rule("shield_sweep", "timeout", terms),))
        since = self._ports.clock() - timedelta(seconds=window_s)
        found = {
            author for author, body in await self._ports.store.recent(since) if listed.check(body)
        }
        return await self.time_out(
            found, seconds, actor_id=actor_id, reason="shield_sweep",
            detail={"window_s": window_s},
        )  # fmt: skip

    async def _apply(
        self, verdict: Verdict, author: str, thread: Thread, body: str, client_id: str | None,
        now: datetime,
    ) -> None:  # fmt: skip
        metrics = self._ports.metrics
        metrics.automod.labels(thread.scope, verdict.action).inc()
        # Which rule and what it did: never the text (TEL-3).
        log.info("chat %s: automod %s (%s) on %s", thread.id, verdict.action, verdict.rule, author)
        detail: dict[str, object] = {"rule": verdict.rule, "scope": thread.scope}
        if verdict.action == "hold":
            held = Held(
                thread_id=thread.id, scope=thread.scope, author_id=author, body=body,
                rule=verdict.rule, client_id=client_id, created_at=now,
            )  # fmt: skip
            audit = AuditRecord(
                at=now, actor_id=None, action="chat.held", target_id=author, reason=verdict.rule,
                detail={**detail, "thread_id": thread.id},
            )  # fmt: skip
            await self._ports.store.hold(held, audit)
            raise MessageHeld("Your message is held for a moderator to look at before it is sent.")
        if verdict.action == "timeout":
            await self.time_out(
                (author,), self._timeout_s, actor_id=None, reason="automod", detail=detail
            )
            raise ChatTimedOut(
                "That message breaks the chat rules: you are timed out for"
                f" {self._timeout_s:.0f} s.",
                retry_after_s=self._timeout_s,
            )
        raise MessageBlocked("That message breaks the chat rules and was not sent.")
