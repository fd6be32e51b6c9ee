"""A thread (CHT-1, CHT-3): one model for every scope. A private thread belongs to its pair, found
by the sorted pair so A–B is one thread forever; a room thread is the room's one thread, joined by
whoever opens it. Its messages are numbered 1, 2, 3 … by the thread alone (`next_seq`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from vvtv.contracts.chat import ChatScope
from vvtv.domain.values import frozen

PRIVATE: ChatScope = "private_1to1"

OpenRefusal = Literal["peer_required", "room_required", "self_thread", "blocked"]


@frozen
class Thread:
    id: str
    scope: ChatScope
    key: str  # unique per scope: the sorted pair ("a:b") or the room
    participants: frozenset[str]  # a private thread's pair; a room's members who opened it
    last_seq: int
    created_at: datetime

    @property
    def private(self) -> bool:
        return self.scope == PRIVATE

    @property
    def room(self) -> str | None:
        return None if self.private else self.key

    def next_seq(self) -> tuple[Thread, int]:
        seq = self.last_seq + 1
        return replace(self, last_seq=seq), seq

    def joined(self, user_id: str) -> Thread:
        if user_id in self.participants:
            return self
        return replace(self, participants=self.participants | {user_id})


def private_key(a: str, b: str) -> str:
    """The pair's key, the same whoever opens it (CHT-1)."""
    first, second = sorted((a, b))
    return f"{first}:{second}"


def thread_key(
    scope: ChatScope, opener: str, peer: str | None, room: str | None, blocked: frozenset[str]
) -> str | OpenRefusal:
    """The key of the thread `opener` asks for, or why not: `blocked` is who stands in a block
    with the opener either way (MOD-2: a blocked pair cannot open a thread)."""
    if scope == PRIVATE:
        if peer is None:
            return "peer_required"
        if peer == opener:
            return "self_thread"
        if peer in blocked:
            return "blocked"
        return private_key(opener, peer)
    if room is None:
        return "room_required"
    return room


def may_take_part(thread: Thread, user_id: str) -> bool:
    """Reading and sending: a private thread's pair; a room's members (who opened it)."""
    return user_id in thread.participants


def visible_to(author_id: str, reader_blocked: frozenset[str]) -> bool:
    """In rooms, a blocked pair does not see each other's messages (MOD-2)."""
    return author_id not in reader_blocked
