"""Accounts of given ages in a `World`: each made the given number of days before now (the wall
clock is moved on in between), then signed in. New accounts (MOD-6) are younger than the
quarantine's days; Shield Mode's gates read other ages."""

from __future__ import annotations

from tests.accounts import PASSWORD
from tests.accounts import TERMS
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World


async def aged(world: World, **days_old: float) -> dict[str, User]:
    """`aged(world, ana=30, bob=0.5)`: ana's account is 30 days old, bob's half a day."""
    order = sorted(days_old.items(), key=lambda item: -item[1])
    for index, (handle, days) in enumerate(order):
        await world.services.identity.create_account(handle, PASSWORD, "user", None, TERMS)
        younger = order[index + 1][1] if index + 1 < len(order) else 0.0
        world.wall.advance((days - younger) * 86400)
    made = {}
    for handle in days_old:
        response = await world.client.post(
            "/auth/login", json={"handle": handle, "password": PASSWORD}
        )
        assert response.status_code == 200, await response.get_data()
        tokens = await response.get_json()
        made[handle] = User(handle, tokens["user"]["id"], tokens)
    return made
