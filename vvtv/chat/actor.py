"""The chat thread actor (kind `chat`, key = a thread id): it alone numbers the thread's messages,
so two senders never get the same seq; each message is persisted before anyone is sent it, so
what a client saw is always in the history it resumes from (CHT-2).

Delivery goes to every socket of every participant (`notify`: a user, not a connection), except,
in rooms, to whoever stands in a block with the author (MOD-2). A resume (`Replay`) runs in the
same mailbox as the sends, so the socket gets what it missed, in order, before anything newer.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from prometheus_client import CollectorRegistry

from vvtv.chat.errors import ThreadNotFound
from vvtv.chat.metrics import ChatMetrics
from vvtv.chat.store import ChatStore
from vvtv.clock import WallClock
from vvtv.contracts.chat import ChatMessageView
from vvtv.contracts.events import ChatMessage, ServerEvent
from vvtv.domain.chat.thread import Thread, visible_to

log = logging.getLogger(__name__)

KIND = "chat"

NotifyUser = Callable[[str, ServerEvent], None]
NotifyConnection = Callable[[str, ServerEvent], None]
Blocked = Callable[[str], frozenset[str]]


@dataclass(frozen=True, slots=True)
class ChatPorts:
    """What the chat context reaches outside itself."""

    store: ChatStore
    notify_user: NotifyUser  # every socket of a user
    notify_connection: NotifyConnection  # one socket
    blocked: Blocked  # who stands in a block with a user, either way
    clock: WallClock
    metrics: ChatMetrics = field(default_factory=lambda: ChatMetrics(CollectorRegistry()))


@dataclass(frozen=True, slots=True)
class Send:
    author_id: str
    body: str
    client_id: str | None


@dataclass(frozen=True, slots=True)
class Join:
    user_id: str


@dataclass(frozen=True, slots=True)
class Replay:
    connection: str
    viewer_id: str
    after_seq: int
    page: int  # messages per store read


@dataclass(frozen=True, slots=True)
class Current:
    """Ask for the thread as it stands (membership, last seq)."""


def event_of(message: ChatMessageView) -> ChatMessage:
    return ChatMessage(
        thread_id=message.thread_id,
        seq=message.seq,
        message_id=message.message_id,
        author_id=message.author_id,
        body=message.body,
        sent_at=message.sent_at,
        client_id=message.client_id,
    )


class ChatThreadActor:
    kind: ClassVar[str] = KIND

    def __init__(self, thread_id: str, ports: ChatPorts) -> None:
        self._id = thread_id
        self._ports = ports
        self._thread: Thread | None = None

    async def on_start(self) -> None:
        self._thread = await self._ports.store.get(self._id)

    async def on_stop(self) -> None:
        pass

    async def handle(self, message: Send | Join | Replay | Current) -> Thread | ChatMessageView:
        thread = self._thread
        if thread is None:
            # Spawned by a guess at an id: it may exist by now, but is never made up here.
            thread = self._thread = await self._ports.store.get(self._id)
        if thread is None:
            raise ThreadNotFound("No such thread.")
        match message:
            case Current():
                return thread
            case Join(user_id):
                if user_id not in thread.participants:
                    await self._ports.store.join(thread.id, user_id, self._ports.clock())
                    self._thread = thread = thread.joined(user_id)
                return thread
            case Send():
                return await self._send(thread, message)
            case Replay():
                await self._replay(thread, message)
                return thread

    async def _send(self, thread: Thread, send: Send) -> ChatMessageView:
        advanced, seq = thread.next_seq()
        stored = ChatMessageView(
            thread_id=thread.id,
            seq=seq,
            message_id=uuid.uuid4().hex,
            author_id=send.author_id,
            body=send.body,
            sent_at=self._now(),
            client_id=send.client_id,
        )
        await self._ports.store.append(stored)
        self._thread = advanced
        self._ports.metrics.messages.labels(thread.scope).inc()
        # Who, where and how long: never what (TEL-3).
        log.debug(
            "chat %s: message %d by %s (%d chars)",
            thread.id,
            seq,
            send.author_id,
            len(send.body),
            extra={"thread_id": thread.id, "scope": thread.scope},
        )
        event = event_of(stored)
        for user_id in sorted(thread.participants):
            if thread.private or visible_to(send.author_id, self._ports.blocked(user_id)):
                self._ports.notify_user(user_id, event)
        return stored

    async def _replay(self, thread: Thread, replay: Replay) -> None:
        after = replay.after_seq
        hidden = frozenset() if thread.private else self._ports.blocked(replay.viewer_id)
        while after < thread.last_seq:
            page = await self._ports.store.history(
                thread.id, before_seq=None, after_seq=after, limit=replay.page
            )
            if not page:
                break
            for message in page:
                if visible_to(message.author_id, hidden):
                    self._ports.notify_connection(replay.connection, event_of(message))
            after = page[-1].seq

    def _now(self) -> datetime:
        return self._ports.clock()
