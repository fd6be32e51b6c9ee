"""The chat service: the one entry point of the chat routes and the /ws `chat.*` messages, over
the thread actors. It opens or reopens threads (CHT-1), checks what a message holds against its
scope (CHT-3), what its gate refuses or holds (timeouts, Shield Mode, auto-moderation: `gate.py`)
and the sender's rate in that scope (CHT-4), then asks the thread's actor to number, store and
deliver it; a held message a moderator approves is delivered the same way (`review.py`). Bodies
pass through here, never into a log line, a metric or an audit entry (TEL-3).

A room is an ecosystem (INV-5): the rooms of a scope are the ecosystems of the modes whose
manifest chats in that scope (`policies.chat_scope`) and that the tier offers, so Party's room is
`party`, a live's is `live_public`, and no mode offers `performer_room` yet. Any other room, or
one whose mode the tier switched off, does not exist (404 `room_not_found`)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from typing import Protocol

import trio

from vvtv.actors import Batches
from vvtv.actors import Registry
from vvtv.chat.actor import KIND
from vvtv.chat.actor import ChatPorts
from vvtv.chat.actor import ChatThreadActor
from vvtv.chat.actor import Current
from vvtv.chat.actor import Join
from vvtv.chat.actor import Send
from vvtv.chat.actor import Sends
from vvtv.chat.actor import Subscribe
from vvtv.chat.actor import named
from vvtv.chat.errors import ChatRateLimited
from vvtv.chat.errors import EmptyMessage
from vvtv.chat.errors import InvalidHistoryQuery
from vvtv.chat.errors import InvalidReport
from vvtv.chat.errors import InvalidThread
from vvtv.chat.errors import LinksNotAllowed
from vvtv.chat.errors import MessageTooLong
from vvtv.chat.errors import RoomNotFound
from vvtv.chat.errors import ThreadBlocked
from vvtv.chat.errors import ThreadNotFound
from vvtv.chat.review import HeldReview
from vvtv.chat.review import ReviewPorts
from vvtv.config import ConfigBundle
from vvtv.contracts.chat import ChatHistoryPage
from vvtv.contracts.chat import ChatHistoryQuery
from vvtv.contracts.chat import ChatMessageView
from vvtv.contracts.chat import ChatReport
from vvtv.contracts.chat import ChatReportReceipt
from vvtv.contracts.chat import ChatScope
from vvtv.contracts.chat import ChatThreadOpen
from vvtv.contracts.chat import ChatThreadView
from vvtv.contracts.chat import HeldDecision
from vvtv.contracts.chat import HeldMessages
from vvtv.contracts.chat import HeldMessagesQuery
from vvtv.contracts.chat import HeldMessageView
from vvtv.contracts.moderation import ReportFiling
from vvtv.contracts.moderation import ReportReceipt
from vvtv.domain.accounts import Principal
from vvtv.domain.chat.delivery import sees
from vvtv.domain.chat.message import BodyPolicy
from vvtv.domain.chat.message import BodyRefusal
from vvtv.domain.chat.message import check_body
from vvtv.domain.chat.rate import ChatRates
from vvtv.domain.chat.rate import admit
from vvtv.domain.chat.rate import pruned
from vvtv.domain.chat.thread import PRIVATE
from vvtv.domain.chat.thread import Thread
from vvtv.domain.chat.thread import may_take_part
from vvtv.domain.chat.thread import thread_key
from vvtv.domain.rate_limit import Limit
from vvtv.errors import BadRequest
from vvtv.errors import by_code

log = logging.getLogger(__name__)

BODY_REFUSALS: Mapping[str, type[BadRequest]] = by_code(
    EmptyMessage, MessageTooLong, LinksNotAllowed
)


class Reports(Protocol):
    """Where reports go: moderation's one queue (MOD-1)."""

    async def file(self, principal: Principal, filing: ReportFiling) -> ReportReceipt: ...


class Chat:
    def __init__(self, registry: Registry, config: ConfigBundle, ports: ChatPorts) -> None:
        self._registry = registry
        self._ports = ports
        self._review = HeldReview(
            config,
            ReviewPorts(
                store=ports.safety,
                chat=ports,
                thread_of=lambda thread_id: self._ask(thread_id, Current()),
                blocked_either_way=ports.people.blocked_either_way,
                deliver=self._deliver,
            ),
        )
        self._reports: Reports | None = None  # moderation, wired after it is built
        self._limits = config.limits.chat
        links_on = config.limits.feature_flags.chat_links
        self._policies: dict[str, BodyPolicy] = {}
        self._rates_of: dict[str, Limit] = {}
        for scope in self._limits.scopes.__struct_fields__:
            policy = self._limits.scopes.of(scope)
            self._policies[scope] = BodyPolicy(policy.max_chars, policy.links and links_on)
            self._rates_of[scope] = Limit(policy.max_messages, policy.window_s)
        self._longest_window_s = max(limit.window_s for limit in self._rates_of.values())
        flags = config.limits.feature_flags
        rooms: dict[str, set[str]] = {}
        for name, mode in config.modes.modes.items():
            chats_in = mode.policies.chat_scope
            # A mode without a flag of its own (the channel at `/`) is always offered.
            offered = name not in flags.__struct_fields__ or flags.enabled(name)
            if chats_in is not None and chats_in != PRIVATE and offered:
                rooms.setdefault(chats_in, set()).add(mode.ecosystem)
        self._rooms = {scope: frozenset(names) for scope, names in rooms.items()}
        self._rates = ChatRates()
        # Sends to a thread that arrive while its last batch is stored go together (CHT-2).
        self._batches: Batches[str, Send, ChatMessageView] = Batches(self._ask_sends)
        ports.metrics.followers.set_function(ports.followers.count)
        self._pruned_at = trio.current_time()
        registry.register(KIND, lambda thread_id: ChatThreadActor(thread_id, ports))

    # -- threads (CHT-1, CHT-3) ------------------------------------------------------------------

    async def open(self, principal: Principal, body: ChatThreadOpen) -> ChatThreadView:
        """Create the thread, or reopen the one that exists: a pair has one thread forever, a
        room one thread that whoever opens it joins."""
        me = principal.user_id
        if body.peer_user_id is not None:
            self._ports.people.user_view(body.peer_user_id)  # unknown: 404 before anything else
        key = thread_key(
            body.scope, me, body.peer_user_id, body.room, self._ports.people.blocked_either_way(me)
        )
        if key == "blocked":
            raise ThreadBlocked("A block stands between you and this user.", path="peer_user_id")
        if key in ("peer_required", "self_thread"):
            raise InvalidThread(
                "A private thread is with one other user: give `peer_user_id`.",
                path="peer_user_id",
            )
        if key == "room_required":
            raise InvalidThread("A room thread needs `room`.", path="room")
        self._check_room(body.scope, body.room)
        existing = await self._ports.store.find(body.scope, key)
        if existing is None:
            members = {me} if body.peer_user_id is None else {me, body.peer_user_id}
            fresh = Thread(uuid.uuid4().hex, body.scope, key, frozenset(members), 0, self._now())
            thread = await self._ports.store.create(fresh)
            reopened = thread.id != fresh.id
        else:
            thread, reopened = existing, True
        if me not in thread.participants:
            thread = await self._ask(thread.id, Join(me))
        return self._view(thread, reopened=reopened)

    async def thread(self, principal: Principal, thread_id: str) -> Thread:
        """The thread, if `principal` takes part in it; 404 otherwise (no hint it exists)."""
        thread: Thread = await self._ask(thread_id, Current())
        if not may_take_part(thread, principal.user_id):
            raise ThreadNotFound("No such thread.")
        self._check_room(thread.scope, thread.room)  # its mode may be off in this tier
        return thread

    # -- messages (CHT-2..4) ---------------------------------------------------------------------

    async def send(
        self,
        principal: Principal,
        thread_id: str,
        body: str,
        client_id: str | None,
        connection: str | None = None,
    ) -> ChatMessageView:
        """Send to a thread; over a socket (`connection`), that socket follows it from there."""
        thread = await self.thread(principal, thread_id)
        if thread.private and thread.participants & self._ports.people.blocked_either_way(
            principal.user_id
        ):
            raise ThreadBlocked("A block stands between you and this user.")
        refusal = check_body(body, self._policies[thread.scope])
        if refusal is not None:
            self._ports.metrics.refused.labels(thread.scope, refusal).inc()
            log.info("chat %s: a message of %s refused: %s", thread.id, principal.user_id, refusal)
            raise BODY_REFUSALS[refusal](self._refusal_text(refusal, thread.scope), path="body")
        await self._ports.gate.check(principal.user_id, thread, body, client_id)
        self._admit(principal.user_id, thread.scope)
        return await self._deliver(thread, Send(principal.user_id, body, client_id, connection))

    async def history(
        self, principal: Principal, thread_id: str, query: ChatHistoryQuery
    ) -> ChatHistoryPage:
        if query.before_seq is not None and query.after_seq is not None:
            raise InvalidHistoryQuery("Give `before_seq` or `after_seq`, not both.")
        limit = query.limit or self._limits.history_page_size
        if limit > self._limits.history_page_max:
            raise InvalidHistoryQuery(
                f"`limit` may be at most {self._limits.history_page_max}.", path="limit"
            )
        thread = await self.thread(principal, thread_id)
        # One more than asked tells whether there is more in that direction.
        found = await self._ports.store.history(
            thread.id, before_seq=query.before_seq, after_seq=query.after_seq, limit=limit + 1
        )
        has_more = len(found) > limit
        page = found[:limit] if query.after_seq is not None else found[-limit:]
        me = principal.user_id
        hidden = frozenset() if thread.private else self._ports.people.blocked_either_way(me)
        shadowed = self._ports.shadowed
        reader_shadowed = shadowed(me)
        page = [
            m
            for m in page
            if sees(
                own=m.author_id == me,
                blocked_pair=m.author_id in hidden,
                author_shadowed=shadowed(m.author_id),
                reader_shadowed=reader_shadowed,
            )
        ]
        return ChatHistoryPage(
            thread_id=thread.id,
            messages=named(page, self._ports.handle_of),
            last_seq=thread.last_seq,
            has_more=has_more,
        )

    async def subscribe(
        self, principal: Principal, connection: str, thread_id: str, after_seq: int
    ) -> None:
        """Follow the thread on this socket: first what it was never sent after `after_seq`, in
        order, then each new message, each once."""
        thread = await self.thread(principal, thread_id)
        page = self._limits.history_page_max
        await self._ask(thread.id, Subscribe(connection, principal.user_id, after_seq, page))

    def socket_closed(self, connection: str) -> None:
        """The hub's `on_close`: the socket follows no thread any more."""
        self._ports.followers.forget(connection)

    def report_to(self, reports: Reports) -> None:
        self._reports = reports

    async def report(
        self, principal: Principal, thread_id: str, body: ChatReport
    ) -> ChatReportReceipt:
        """File a report of the thread's messages (or of the other member of a private thread) in
        moderation's queue, with its metadata (MOD-1); the reported messages by id only."""
        assert self._reports is not None, "chat reports before moderation is wired"
        thread = await self.thread(principal, thread_id)
        me = principal.user_id
        target = None
        if body.message_ids:
            reported = await self._ports.store.by_id(thread.id, tuple(body.message_ids))
            target = next((m.author_id for m in reported if m.author_id != me), None)
        elif thread.private:
            target = next((uid for uid in thread.participants if uid != me), None)
        if target is None:
            raise InvalidReport(
                "Name the messages of someone else you report here.", path="message_ids"
            )
        filing = ReportFiling(
            target_user_id=target,
            reason_code=body.reason_code,
            context="chat",
            session_id=body.session_id,
            thread_id=thread.id,
            mode_id=body.mode_id,
            message_ids=body.message_ids,
        )
        receipt = await self._reports.file(principal, filing)
        self._ports.metrics.reports.labels(thread.scope).inc()
        return ChatReportReceipt(report_id=receipt.report_id)

    async def takes_part(self, user_id: str, thread_id: str) -> bool:
        """Whether `user_id` is in the thread (moderation's check of a report's thread)."""
        thread = await self._ports.store.get(thread_id)
        return thread is not None and may_take_part(thread, user_id)

    async def messages_by_id(
        self, thread_id: str, message_ids: tuple[str, ...]
    ) -> list[ChatMessageView]:
        """The thread's messages among `message_ids`, named, for the moderators' console."""
        return named(await self._ports.store.by_id(thread_id, message_ids), self._ports.handle_of)

    # -- moderation --------------------------------------------------------------------------------

    async def held(self, query: HeldMessagesQuery) -> HeldMessages:
        """What auto-moderation held for review (or decided), newest first (moderators)."""
        return await self._review.page(query.status, query.before_id, query.limit)

    async def decide_held(
        self, principal: Principal, held_id: int, body: HeldDecision
    ) -> HeldMessageView:
        """Approve a held message (delivered as if it had passed) or reject it (never), once."""
        return await self._review.decide(principal, held_id, body)

    async def sweep(
        self, terms: tuple[str, ...], window_s: float, timeout_s: float, actor_id: str | None
    ) -> int:
        """Time out whoever posted one of `terms` within `window_s`; how many (Shield Mode)."""
        return await self._ports.gate.sweep(terms, window_s, timeout_s, actor_id)

    # -- inside ----------------------------------------------------------------------------------

    async def _deliver(self, thread: Thread, send: Send) -> ChatMessageView:
        """Number, store and push a message that passed (or a moderator approved): the one way a
        message reaches a thread."""
        sent = await self._batches.submit(thread.id, send)
        if self._ports.events is not None:  # never the message itself (TEL-3)
            self._ports.events.emit(
                "chat_message_sent", scope=thread.scope, length_chars=len(send.body)
            )
        return sent

    def _admit(self, user_id: str, scope: ChatScope) -> None:
        now = trio.current_time()
        if now - self._pruned_at >= self._longest_window_s:
            self._rates, self._pruned_at = pruned(self._rates, now, self._longest_window_s), now
            self._ports.gate.prune(now, self._longest_window_s)
        # The quarantine's rate (MOD-6; MOD-4 untold) and Shield's slow mode, then the scope's.
        wait = self._ports.gate.rate_wait(user_id, scope, now)
        if wait is None:
            self._rates, wait = admit(self._rates, user_id, scope, now, self._rates_of[scope])
            if wait is None:
                self._ports.gate.sent(user_id, scope, now)
        if wait is not None:
            self._ports.metrics.rate_limited.labels(scope).inc()
            if self._ports.events is not None:
                self._ports.events.emit("chat_rate_limited", scope=scope)
            log.info("chat: %s rate-limited in %s for %.1f s", user_id, scope, wait)
            raise ChatRateLimited(
                f"Too many messages here: wait {wait:.1f} s.", retry_after_s=round(wait, 3)
            )

    def _refusal_text(self, refusal: BodyRefusal, scope: str) -> str:
        if refusal == "empty_message":
            return "A message needs some text."
        if refusal == "message_too_long":
            return f"At most {self._policies[scope].max_chars} characters here."
        return "Links are not allowed here."

    def _check_room(self, scope: ChatScope, room: str | None) -> None:
        if scope != PRIVATE and room not in self._rooms.get(scope, ()):
            offered = ", ".join(f"`{r}`" for r in sorted(self._rooms.get(scope, ()))) or "none"
            raise RoomNotFound(
                f"No room `{room}` chats in `{scope}` here (its rooms: {offered}).", path="room"
            )

    async def _ask_sends(
        self, thread_id: str, sends: tuple[Send, ...]
    ) -> tuple[ChatMessageView, ...]:
        stored: tuple[ChatMessageView, ...] = await self._ask(thread_id, Sends(sends))
        return stored

    async def _ask(self, thread_id: str, message: Sends | Join | Subscribe | Current) -> Any:
        return await self._registry.ask(KIND, thread_id, message)

    def _view(self, thread: Thread, *, reopened: bool) -> ChatThreadView:
        return ChatThreadView(
            thread_id=thread.id,
            scope=thread.scope,
            room=thread.room,
            participants=sorted(thread.participants) if thread.private else [],
            last_seq=thread.last_seq,
            created_at=thread.created_at,
            reopened=reopened,
        )

    def _now(self) -> datetime:
        return self._ports.clock()
