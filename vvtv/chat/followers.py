"""The sockets that follow each thread, and from which seq (`vvtv.domain.chat.delivery`).

A room's messages go to the sockets that subscribed to it (or sent to it), not to every socket of
everyone who ever joined; a private thread's go to every socket of the pair. Kept outside the
thread actors, so an actor that passivates or restarts finds its followers again; a thread's
entries change only in its actor's `handle` (no await in between), and a socket that closes
leaves every thread at once (`forget`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(slots=True)
class Follower:
    user_id: str
    from_seq: int  # sent every message from here to the thread's newest


class Followers:
    def __init__(self) -> None:
        self._by_thread: dict[str, dict[str, Follower]] = {}
        self._by_connection: dict[str, set[str]] = {}

    def of(self, thread_id: str) -> Mapping[str, Follower]:
        return self._by_thread.get(thread_id, {})

    def get(self, thread_id: str, connection: str) -> Follower | None:
        return self._by_thread.get(thread_id, {}).get(connection)

    def follow(self, thread_id: str, connection: str, user_id: str, from_seq: int) -> None:
        followers = self._by_thread.setdefault(thread_id, {})
        known = followers.get(connection)
        if known is not None and known.user_id == user_id:
            known.from_seq = from_seq
            return
        followers[connection] = Follower(user_id, from_seq)
        self._by_connection.setdefault(connection, set()).add(thread_id)

    def forget(self, connection: str) -> None:
        """The socket closed: it follows nothing any more."""
        for thread_id in self._by_connection.pop(connection, ()):
            followers = self._by_thread[thread_id]
            del followers[connection]
            if not followers:
                del self._by_thread[thread_id]

    def count(self) -> int:
        return sum(len(followers) for followers in self._by_thread.values())
