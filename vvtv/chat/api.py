"""Chat routes (CHT-1..4, MOD-1) and the /ws chat messages, all for signed-in users.

`POST /chat/thread` creates or reopens a thread; a thread's messages are read with
`GET /chat/{thread_id}/messages` (pages by seq: older with `before_seq`, what came after a seq
with `after_seq`), sent with `POST /chat/{thread_id}/messages` or a socket's `chat.send`, and
reported with `POST /chat/{thread_id}/report`. Someone else's thread is a 404, as a missing one.

On a socket (the SPEC's `WS /chat/{id}` is the one `/ws`), a message reaches as `chat.message`
every socket of a private thread's pair, and in rooms the sockets that subscribed to the room (or
sent to it); `chat.subscribe {thread_id, after_seq}` first sends this socket what it was never
sent after `after_seq`, in order: no socket gets a message twice. A `chat.send` over the scope's
rate is answered with `chat.rate_limited` (its wait, for the UI to show, CHT-4); other refusals
with an `error`: auto-moderation's `message_held` (kept for a moderator, `GET /mod/held`),
`message_blocked` and `chat_timed_out`, Shield Mode's `shield_new_accounts` and `shield_room_gate`.
A moderator then approves a held message (`POST /mod/held/{held_id}/decision`: it reaches the
thread as `chat.message`, as if it had passed) or rejects it (its author's tabs hear
`chat.not_posted`).
"""

from __future__ import annotations

from quart import Blueprint

from vvtv.chat.errors import ChatRateLimited as RateLimitedError
from vvtv.chat.service import Chat
from vvtv.contracts.chat import ChatHistoryPage
from vvtv.contracts.chat import ChatHistoryQuery
from vvtv.contracts.chat import ChatMessageView
from vvtv.contracts.chat import ChatPost
from vvtv.contracts.chat import ChatReport
from vvtv.contracts.chat import ChatReportReceipt
from vvtv.contracts.chat import ChatThreadOpen
from vvtv.contracts.chat import ChatThreadView
from vvtv.contracts.chat import HeldDecision
from vvtv.contracts.chat import HeldMessages
from vvtv.contracts.chat import HeldMessagesQuery
from vvtv.contracts.chat import HeldMessageView
from vvtv.contracts.events import ChatRateLimited
from vvtv.contracts.events import ChatSend
from vvtv.contracts.events import ChatSubscribe
from vvtv.domain.accounts import Principal
from vvtv.web.routing import Guard
from vvtv.web.routing import Routes
from vvtv.web.routing import current_principal
from vvtv.web.sockets import MessageHandler
from vvtv.web.sockets import current_connection


def routes(chat: Chat, guard: Guard) -> Blueprint:
    api = Routes("chat", __name__, guard)

    @api.post("/chat/thread", access="user", errors=[404, 503])
    async def chat_open(body: ChatThreadOpen) -> ChatThreadView:
        """Open a thread, or reopen the one you have: with `peer_user_id` (private_1to1), the
        pair's one thread (CHT-1); with `room`, the room's one thread, joining it: a room is the
        ecosystem of a mode that chats in that scope (`party` for `room`, `live_public`), else 404
        `room_not_found`. 403 `blocked` when a block stands between you and the peer."""
        return await chat.open(current_principal(), body)

    @api.get("/chat/<hexid:thread_id>/messages", access="user", errors=[404, 503])
    async def chat_history(query: ChatHistoryQuery, thread_id: str) -> ChatHistoryPage:
        """A page of the thread's messages, oldest first: the newest, older than `before_seq`, or
        newer than `after_seq` (resume: pass the last seq you have)."""
        return await chat.history(current_principal(), thread_id, query)

    @api.post("/chat/<hexid:thread_id>/messages", access="user", errors=[404, 429, 503])
    async def chat_post(body: ChatPost, thread_id: str) -> ChatMessageView:
        """Send a message (as `chat.send` does); 429 `chat_rate_limited` with `Retry-After` over
        the scope's rate (CHT-4), a new account's (MOD-6) or Shield Mode's slow mode; 429
        `chat_timed_out` while timed out; 403 `message_held` (kept for review), `message_blocked`
        by auto-moderation, `shield_new_accounts` / `shield_room_gate` under Shield Mode."""
        return await chat.send(current_principal(), thread_id, body.body, body.client_id)

    @api.post("/chat/<hexid:thread_id>/report", access="user", status=201, errors=[404, 429, 503])
    async def chat_report(body: ChatReport, thread_id: str) -> ChatReportReceipt:
        """Report the thread, or some of its messages by id, for moderators (MOD-1); as
        `POST /reports`, 429 `report_rate_limited` over `reports.file_rate`."""
        return await chat.report(current_principal(), thread_id, body)

    @api.get("/mod/held", access="mod")
    async def held_messages(query: HeldMessagesQuery) -> HeldMessages:
        """Messages chat auto-moderation held for review, newest first, with the rule that held
        each (moderators and admins); `status` lists the approved or rejected ones instead."""
        return await chat.held(query)

    @api.post("/mod/held/<int:held_id>/decision", access="mod", errors=[404, 409, 503])
    async def held_decision(body: HeldDecision, held_id: int) -> HeldMessageView:
        """Approve a held message: it is delivered into its thread as if it had passed, by its
        author (403 `blocked` if a block now stands in its private thread); or reject it: never
        delivered, its author's tabs told `chat.not_posted`. Audited in the author's history
        (TEL-6); 409 `already_decided` the second time (moderators and admins)."""
        return await chat.decide_held(current_principal(), held_id, body)

    return api.blueprint


def socket_handlers(chat: Chat) -> dict[type, MessageHandler]:
    async def send(principal: Principal, message: ChatSend) -> ChatRateLimited | None:
        try:
            await chat.send(
                principal, message.thread_id, message.body, message.client_id, current_connection()
            )
        except RateLimitedError as limited:
            thread = await chat.thread(principal, message.thread_id)
            return ChatRateLimited(
                thread_id=thread.id,
                scope=thread.scope,
                retry_after_s=limited.retry_after_s,
                client_id=message.client_id,
            )
        return None

    async def subscribe(principal: Principal, message: ChatSubscribe) -> None:
        await chat.subscribe(principal, current_connection(), message.thread_id, message.after_seq)

    return {ChatSend: send, ChatSubscribe: subscribe}
