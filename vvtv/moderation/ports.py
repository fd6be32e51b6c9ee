"""What moderation asks of other contexts: identity's accounts (and the operations a decision is
made of), chat's threads, the orchestrator's sessions, and the frame checks' stills."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from vvtv.contracts.chat import ChatMessageView
from vvtv.contracts.identity import BanRequest
from vvtv.contracts.identity import BanView
from vvtv.contracts.identity import QuarantineView
from vvtv.contracts.identity import UserView
from vvtv.domain.accounts import Principal


class People(Protocol):
    """What moderation asks identity, and the account operations a decision is made of."""

    def user_view(self, user_id: str) -> UserView: ...
    def handle_of(self, user_id: str) -> str | None: ...
    async def ban(self, actor: Principal, body: BanRequest) -> BanView: ...
    async def set_shadow_quarantine(
        self, actor: Principal, user_id: str, on: bool, reason: str
    ) -> QuarantineView: ...
    async def set_quarantine(
        self, actor: Principal, user_id: str, on: bool, reason: str, duration_s: int | None = None
    ) -> QuarantineView: ...


class Conversations(Protocol):
    """What moderation asks chat: whether a reporter takes part in a thread, and the reported
    messages themselves for the console (by id, only those of that thread)."""

    async def takes_part(self, user_id: str, thread_id: str) -> bool: ...
    async def messages_by_id(
        self, thread_id: str, message_ids: tuple[str, ...]
    ) -> list[ChatMessageView]: ...


class Sessions(Protocol):
    """What moderation asks the session orchestrator: whether a reporter takes or took part in a
    session."""

    async def takes_part(self, user_id: str, session_id: str) -> bool: ...


# A sampled still of a stream: (still id, JPEG bytes, when it was taken).
SampledStill = tuple[str, bytes, datetime]
# (session_id, target user id) -> the last sampled still of that user's stream in that session,
# or None. The SFU's frame checks provide it.
StillSource = Callable[[str, str], Awaitable[SampledStill | None]]


async def no_stills(session_id: str, target_id: str) -> None:
    """The still source until the SFU samples frames: there is no still."""
    return None
