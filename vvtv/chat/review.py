"""Moderators' review of what chat auto-moderation held (issue 16): the page of held messages, and
each one's decision, made once (`vvtv.domain.chat.held`).

Approved, a held message is delivered through the same path as any message that passed (the
service's `deliver`: the thread's actor numbers, stores and pushes it to the thread's followers,
in order, as `chat.message` by its original author), under the id written with the decision, so
the audit entry names the message it became. Rejected, it never is, and its author's tabs are told
(`chat.not_posted`). Each decision is written with its audit entry (TEL-6), about the author: it
is in their history. Of two moderators deciding at once, the first wins; the other gets 409.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable
from collections.abc import Callable

from msgspec.structs import replace

from vvtv.chat.actor import ChatPorts
from vvtv.chat.actor import Send
from vvtv.chat.errors import HeldAlreadyDecided
from vvtv.chat.errors import HeldNotFound
from vvtv.chat.errors import ThreadBlocked
from vvtv.chat.safety_store import Decided
from vvtv.chat.safety_store import SafetyStore
from vvtv.config import ConfigBundle
from vvtv.contracts.chat import ChatMessageView
from vvtv.contracts.chat import HeldDecision
from vvtv.contracts.chat import HeldMessages
from vvtv.contracts.chat import HeldMessageView
from vvtv.contracts.chat import HeldStatus as Status
from vvtv.contracts.events import ChatNotPosted
from vvtv.domain.accounts import Principal
from vvtv.domain.chat.held import decided
from vvtv.domain.chat.thread import Thread
from vvtv.domain.values import frozen
from vvtv.observability.audit import AuditRecord

log = logging.getLogger(__name__)


@frozen
class ReviewPorts:
    store: SafetyStore
    chat: ChatPorts  # the clock, metrics, handles and sockets chat has
    thread_of: Callable[[str], Awaitable[Thread]]
    blocked_either_way: Callable[[str], frozenset[str]]
    deliver: Callable[[Thread, Send], Awaitable[ChatMessageView]]  # as a message that passed


class HeldReview:
    def __init__(self, config: ConfigBundle, ports: ReviewPorts) -> None:
        self._ports = ports
        self._page_max = config.limits.chat.automod.held_page_max

    async def page(self, status: Status, before_id: int | None, limit: int | None) -> HeldMessages:
        """Held messages of `status`, newest first, named as of now."""
        size = min(limit or self._page_max, self._page_max)
        found = await self._ports.store.held(status, before_id, size)
        return HeldMessages(messages=[self._named(m) for m in found])

    async def decide(
        self, principal: Principal, held_id: int, body: HeldDecision
    ) -> HeldMessageView:
        ports, chat = self._ports, self._ports.chat
        found = await ports.store.held_one(held_id)
        if found is None:
            raise HeldNotFound("No such held message.", path="held_id")
        held, client_id = found
        status = decided(held.status, body.action)
        if status is None:
            raise HeldAlreadyDecided(f"This message was {held.status} already.")
        thread = await ports.thread_of(held.thread_id)
        author = held.author_id
        if (
            status == "approved"
            and thread.private
            and thread.participants & ports.blocked_either_way(author)
        ):
            # As a send would be refused now (MOD-2): approving does not get around a block.
            raise ThreadBlocked("A block now stands between its author and the other member.")
        now = chat.clock()
        message_id = uuid.uuid4().hex if status == "approved" else None
        audit = AuditRecord(
            at=now,
            actor_id=principal.user_id,
            action=f"chat.held_{status}",
            target_id=author,
            reason=body.reason or held.rule,
            detail={
                "held_id": held.id, "thread_id": held.thread_id, "scope": held.scope,
                "rule": held.rule, "message_id": message_id,
            },
        )  # fmt: skip
        record = Decided(
            held_id=held.id, status=status, decided_by=principal.user_id, at=now,
            message_id=message_id,
        )  # fmt: skip
        if not await ports.store.decide(record, audit):
            raise HeldAlreadyDecided("Another moderator decided this message first.")
        if message_id is not None:
            await self._deliver(thread, held, client_id, message_id, principal)
        else:
            told = ChatNotPosted(thread_id=held.thread_id, held_id=held.id, client_id=client_id)
            for connection in chat.connections_of(author):
                chat.notify_connection(connection, told)
        chat.metrics.held_decisions.labels(held.scope, status).inc()
        # Who decided what, never the text (TEL-3).
        log.info("chat %s: held message %d %s by %s", thread.id, held.id, status, principal.user_id)
        decision = replace(
            held, status=status, decided_by=principal.user_id, decided_at=now, message_id=message_id
        )
        return self._named(decision)

    async def _deliver(
        self, thread: Thread, held: HeldMessageView, client_id: str | None, message_id: str,
        principal: Principal,
    ) -> None:  # fmt: skip
        send = Send(held.author_id, held.body, client_id, message_id=message_id)
        try:
            await self._ports.deliver(thread, send)
        except Exception:
            # Not delivered (the actor's mailbox full, a shutdown): held again, to be decided again.
            undone = AuditRecord(
                at=self._ports.chat.clock(), actor_id=principal.user_id,
                action="chat.held_undelivered", target_id=held.author_id,
                detail={"held_id": held.id, "thread_id": held.thread_id},
            )  # fmt: skip
            await self._ports.store.undecide(held.id, undone)
            raise

    def _named(self, held: HeldMessageView) -> HeldMessageView:
        return replace(held, author_handle=self._ports.chat.handle_of(held.author_id))
