"""The whole product in-process for moderation: presence's `world` (users, tabs, a wall clock that
follows trio's MockClock), plus moderation's own steps: filing, reading the queue, deciding."""

from __future__ import annotations

from typing import Any

from tests.service.chat.conftest import open_thread
from tests.service.chat.conftest import post
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from tests.service.presence.conftest import world

__all__ = ["call", "file", "said_to", "world"]


async def call(
    world: World, user: User | None, method: str, path: str, body: Any = None, **query: Any
) -> tuple[int, dict[str, Any]]:
    """One request as `user` (None: signed out); the status and the JSON answer."""
    headers = user.headers if user is not None else {}
    response = await world.client.open(
        path, method=method, json=body, query_string=query or None, headers=headers
    )
    answer: dict[str, Any] = await response.get_json()
    return response.status_code, answer


async def file(world: World, reporter: User, target: User, **fields: Any) -> int:
    """File a report (from a ProfileCard unless told) and return its id."""
    body = {"target_user_id": target.id, "reason_code": "harassment", "context": "profile_card"}
    status, receipt = await call(world, reporter, "POST", "/reports", {**body, **fields})
    assert status == 201, receipt
    report_id: int = receipt["report_id"]
    return report_id


async def said_to(world: World, reader: User, author: User, body: str) -> tuple[str, str]:
    """`author` writes `body` to `reader` in their private thread: (thread id, message id), what
    a chat report names."""
    _, thread = await open_thread(world, reader, scope="private_1to1", peer_user_id=author.id)
    _, message = await post(world, author, thread["thread_id"], body)
    return str(thread["thread_id"]), str(message["message_id"])
