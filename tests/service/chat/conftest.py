"""The whole product in-process for chat: presence's `world` (users, tabs, a wall clock that
follows trio's MockClock), plus chat's own steps."""

from __future__ import annotations

from typing import Any

from tests.service.presence.conftest import Tab, User, World, world

__all__ = ["chat_events", "open_thread", "post", "world"]


async def open_thread(world: World, user: User, **body: Any) -> tuple[int, dict[str, Any]]:
    response = await world.client.post("/chat/thread", json=body, headers=user.headers)
    answer: dict[str, Any] = await response.get_json()
    return response.status_code, answer


async def post(world: World, user: User, thread_id: str, body: str) -> tuple[int, dict[str, Any]]:
    response = await world.client.post(
        f"/chat/{thread_id}/messages", json={"body": body}, headers=user.headers
    )
    answer: dict[str, Any] = await response.get_json()
    return response.status_code, answer


async def chat_events(tab: Tab) -> list[dict[str, Any]]:
    """The chat events queued for `tab` until now."""
    return [e for e in await tab.settle() if e["type"].startswith("chat.")]
