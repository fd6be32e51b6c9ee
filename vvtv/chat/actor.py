"""The chat thread actor (kind `chat`, key = a thread id): it alone numbers the thread's messages,
so two senders never get the same seq; each message is persisted before anyone is sent it, so
what a client saw is always in the history it resumes from (CHT-2).

Delivery is per socket, to the thread's followers (`Followers`): in a private thread every socket
of the pair, in a room the sockets that subscribed to it or sent to it; in rooms not to whoever
stands in a block with the author (MOD-2); a shadow-quarantined author's, in rooms and private
threads alike, only to others like them (MOD-4). A `Subscribe` runs in the same mailbox as the
sends, so the socket gets what it missed, in order, before anything newer, and never a message
it was already sent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from collections.abc import Collection
from dataclasses import field
from datetime import datetime
from typing import ClassVar
from typing import Protocol

import msgspec
from prometheus_client import CollectorRegistry

from vvtv.actors import BaseActor
from vvtv.chat.errors import ThreadNotFound
from vvtv.chat.followers import Followers
from vvtv.chat.gate import ChatGate
from vvtv.chat.metrics import ChatMetrics
from vvtv.chat.safety_store import SafetyStore
from vvtv.chat.store import ChatStore
from vvtv.clock import WallClock
from vvtv.contracts.chat import ChatMessageView
from vvtv.contracts.events import ChatMessage
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.identity import UserView
from vvtv.domain.chat.delivery import catch_up
from vvtv.domain.chat.delivery import sees
from vvtv.domain.chat.thread import Thread
from vvtv.domain.values import frozen
from vvtv.observability.events import ServerEvents

log = logging.getLogger(__name__)

KIND = "chat"

NotifyConnection = Callable[[str, ServerEvent], None]
ConnectionsOf = Callable[[str], Collection[str]]
Blocked = Callable[[str], frozenset[str]]
Shadowed = Callable[[str], bool]
HandleOf = Callable[[str], str | None]


class People(Protocol):
    """What chat asks identity about users, as of now."""

    def user_view(self, user_id: str) -> UserView: ...
    def blocked_either_way(self, user_id: str) -> frozenset[str]: ...


@frozen
class ChatPorts:
    """What the chat context reaches outside itself."""

    store: ChatStore
    notify_connection: NotifyConnection  # one socket
    connections_of: ConnectionsOf  # a user's open sockets
    blocked: Blocked  # who stands in a block with a user, either way
    shadowed: Shadowed  # whether a user is shadow-quarantined (MOD-4)
    handle_of: HandleOf  # an author's handle now; None once the account is gone
    clock: WallClock
    people: People  # identity, as the service asks it: no such user is a 404
    gate: ChatGate  # timeouts, Shield's gates, auto-moderation, the quarantine's rate
    safety: SafetyStore  # the messages held for review, and the timeouts
    metrics: ChatMetrics = field(default_factory=lambda: ChatMetrics(CollectorRegistry()))
    followers: Followers = field(default_factory=Followers)
    events: ServerEvents | None = None  # chat_message_sent, chat_rate_limited (TEL-1)


@frozen
class Send:
    author_id: str
    body: str
    client_id: str | None
    connection: str | None = None  # the socket it came from: it follows the thread from here
    message_id: str | None = None  # given: a held message a moderator approved under this id


@frozen
class Sends:
    """Sends that arrived together (`Batches`): numbered in order, stored in one write."""

    items: tuple[Send, ...]


@frozen
class Join:
    user_id: str


@frozen
class Subscribe:
    """Follow the thread on `connection`, with what it was never sent after `after_seq` first."""

    connection: str
    viewer_id: str
    after_seq: int
    page: int  # messages per store read


@frozen
class Current:
    """Ask for the thread as it stands (membership, last seq)."""


def named(messages: list[ChatMessageView], handle_of: HandleOf) -> list[ChatMessageView]:
    """Stored messages with their authors' handles as of now (the store keeps ids only)."""
    return [
        msgspec.structs.replace(message, author_handle=handle_of(message.author_id))
        for message in messages
    ]


def event_of(message: ChatMessageView) -> ChatMessage:
    """The event that carries a stored message: the view's fields, one for one."""
    return msgspec.convert(message, ChatMessage, from_attributes=True)


class ChatThreadActor(BaseActor):
    kind: ClassVar[str] = KIND

    def __init__(self, thread_id: str, ports: ChatPorts) -> None:
        self._id = thread_id
        self._ports = ports
        self._thread: Thread | None = None

    async def on_start(self) -> None:
        self._thread = await self._ports.store.get(self._id)

    async def handle(
        self, message: Send | Sends | Join | Subscribe | Current
    ) -> Thread | ChatMessageView | tuple[ChatMessageView, ...]:
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
                return (await self._send(thread, (message,)))[0]
            case Sends(items):
                return await self._send(thread, items)
            case Subscribe():
                await self._subscribe(thread, message)
                return thread

    async def _send(self, thread: Thread, sends: tuple[Send, ...]) -> tuple[ChatMessageView, ...]:
        advanced, now, stored = thread, self._now(), []
        for send in sends:
            advanced, seq = advanced.next_seq()
            stored.append(
                ChatMessageView(
                    thread_id=thread.id,
                    seq=seq,
                    message_id=send.message_id or uuid.uuid4().hex,
                    author_id=send.author_id,
                    body=send.body,
                    sent_at=now,
                    client_id=send.client_id,
                    author_handle=self._ports.handle_of(send.author_id),
                )
            )
        # One write for the batch: the store's commit, not the fan-out, is what a busy thread
        # would otherwise wait on once per message.
        await self._ports.store.append(stored)
        self._thread = advanced
        self._ports.metrics.messages.labels(thread.scope).inc(len(stored))
        for send, message in zip(sends, stored, strict=True):
            # Who, where and how long: never what (TEL-3).
            log.debug(
                "chat %s: message %d by %s (%d chars)",
                thread.id,
                message.seq,
                send.author_id,
                len(send.body),
                extra={"thread_id": thread.id, "scope": thread.scope},
            )
            self._deliver(thread, message, send.connection)
        return tuple(stored)

    def _deliver(self, thread: Thread, message: ChatMessageView, sender: str | None) -> None:
        ports, followers, seq = self._ports, self._ports.followers, message.seq
        if thread.private:
            # Every socket of the pair: one opened since the last message follows from this one.
            for user_id in thread.participants:
                for connection in ports.connections_of(user_id):
                    if followers.get(thread.id, connection) is None:
                        followers.follow(thread.id, connection, user_id, seq)
        elif sender is not None and followers.get(thread.id, sender) is None:
            followers.follow(thread.id, sender, message.author_id, seq)
        following = followers.of(thread.id)
        if not following:
            return
        event = event_of(message)
        author = message.author_id
        # A private thread's pair has no block between them (a block refuses the send), but a
        # shadow-quarantined author reaches only a peer quarantined alike there too (MOD-4).
        hidden = frozenset() if thread.private else ports.blocked(author)
        shadowed = ports.shadowed(author)
        for connection, follower in following.items():
            reader = follower.user_id
            if sees(
                own=reader == author,
                blocked_pair=reader in hidden,
                author_shadowed=shadowed,
                reader_shadowed=shadowed and ports.shadowed(reader),
            ):
                ports.notify_connection(connection, event)

    async def _subscribe(self, thread: Thread, subscribe: Subscribe) -> None:
        ports, connection = self._ports, subscribe.connection
        known = ports.followers.get(thread.id, connection)
        from_seq = None if known is None else known.from_seq
        plan = catch_up(from_seq, subscribe.after_seq, thread.last_seq)
        # The reader's view of each author: blocks in rooms (MOD-2), shadow quarantine (MOD-4).
        hidden = frozenset() if thread.private else ports.blocked(subscribe.viewer_id)
        reader_shadowed = ports.shadowed(subscribe.viewer_id)
        shadowed: dict[str, bool] = {}
        after = plan.first - 1
        while after < plan.last:
            # Sends wait in the mailbox meanwhile: nothing newer can overtake these.
            limit = min(subscribe.page, plan.last - after)
            page = await ports.store.history(
                thread.id, before_seq=None, after_seq=after, limit=limit
            )
            if not page:
                break
            for message in named(page, ports.handle_of):
                author = message.author_id
                if sees(
                    own=author == subscribe.viewer_id,
                    blocked_pair=author in hidden,
                    author_shadowed=shadowed.setdefault(author, ports.shadowed(author)),
                    reader_shadowed=reader_shadowed,
                ):
                    ports.notify_connection(connection, event_of(message))
            after = page[-1].seq
        # A socket that closed meanwhile follows nothing (`Followers.forget` ran already).
        if connection in ports.connections_of(subscribe.viewer_id):
            ports.followers.follow(thread.id, connection, subscribe.viewer_id, plan.from_seq)

    def _now(self) -> datetime:
        return self._ports.clock()
