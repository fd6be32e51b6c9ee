"""OPS-5 / SES-1: a user holds at most `sessions.max_concurrent_per_user` sessions they started at
once (two devices), enforced by their holdings actor: one more is refused 409 `too_many_sessions`
before anything exists; an ended one (by the user, or by silence) makes room; a transition
replaces its session rather than adding one; a call agreed by consent or a match is neither
refused nor counted; creates racing for the last place admit exactly one."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from tests.service.sessions.conftest import ANA
from tests.service.sessions.conftest import BOB
from tests.service.sessions.conftest import World
from tests.service.sessions.conftest import agreed
from tests.service.sessions.test_orchestrator import create
from tests.service.sessions.test_orchestrator import transition
from vvtv.config import ConfigBundle
from vvtv.contracts.sessions import EndSession
from vvtv.domain.sessions import may_hold_another
from vvtv.sessions.errors import TooManySessions
from vvtv.sessions.holdings import KIND
from vvtv.sessions.holdings import Reserve

pytestmark = pytest.mark.req("OPS-5", "SES-1")


def test_the_rule() -> None:
    assert may_hold_another(held={"a"}, reserved=set(), limit=2)
    assert not may_hold_another(held={"a", "b"}, reserved=set(), limit=2)
    assert not may_hold_another(held={"a"}, reserved={"b"}, limit=2)
    assert may_hold_another(held={"a"}, reserved={"a"}, limit=2)  # written, not yet released


async def test_a_session_written_before_its_release_counts_once(
    world: World, config_bundle: ConfigBundle
) -> None:
    """Party's tiles open a session and the person moves on to Sniffers at once: the second
    create reaches the holdings between the first session's write and its release. It counted
    twice (the held session and its reservation) and the second was refused 409."""
    assert config_bundle.limits.sessions.max_concurrent_per_user == 2
    party = await world.sessions.create(ANA, create("party"))
    await world.actors.ask(KIND, "ana", Reserve(party.id))  # its release still on its way
    assert (await world.sessions.create(ANA, create("sniffers"))).state == "active"
    with pytest.raises(TooManySessions):
        await world.sessions.create(ANA, create("party"))


async def test_one_more_than_the_limit_is_refused_until_one_ends(
    world: World, config_bundle: ConfigBundle
) -> None:
    limit = config_bundle.limits.sessions.max_concurrent_per_user
    assert limit == 2  # two devices of one user (OPS-5)
    held = [await world.sessions.create(ANA, create("party")) for _ in range(limit)]
    endpoints = len(world.provider.calls)
    with pytest.raises(TooManySessions) as refused:
        await world.sessions.create(ANA, create("sniffers"))
    assert refused.value.status == 409
    assert refused.value.code == "too_many_sessions"
    assert len(world.store.sessions) == limit  # nothing was created ...
    assert len(world.provider.calls) == endpoints  # ... nor any endpoint
    await world.sessions.create(BOB, create("party"))  # another user is not concerned
    await world.sessions.end(ANA, held[0].id, EndSession())
    assert (await world.sessions.create(ANA, create("sniffers"))).state == "active"


async def test_a_session_ended_by_silence_makes_room(
    world: World, config_bundle: ConfigBundle, autojump_clock: trio.testing.MockClock
) -> None:
    limits = config_bundle.limits.sessions
    for _ in range(limits.max_concurrent_per_user):
        await world.sessions.create(ANA, create("party"))
    with pytest.raises(TooManySessions):
        await world.sessions.create(ANA, create("party"))
    await trio.sleep(limits.heartbeat_timeout_s * 0.9)
    with pytest.raises(TooManySessions):
        await world.sessions.create(ANA, create("party"))
    await trio.sleep(limits.heartbeat_timeout_s * 0.2)  # both timed out
    assert (await world.sessions.create(ANA, create("party"))).state == "active"


async def test_a_transition_replaces_its_session_at_the_limit(
    world: World, config_bundle: ConfigBundle
) -> None:
    held = [
        await world.sessions.create(ANA, create("party"))
        for _ in range(config_bundle.limits.sessions.max_concurrent_per_user)
    ]
    result = await world.sessions.transition(ANA, transition(held[0].id, "mirror"))
    assert result.session.state == "active"
    assert result.ended.state == "ended"
    with pytest.raises(TooManySessions):
        await world.sessions.create(ANA, create("party"))


async def test_a_call_agreed_is_neither_refused_nor_counted(
    world: World, config_bundle: ConfigBundle
) -> None:
    """Two devices in Party, and one of them takes a call: the consent and matching services
    hold a user to one invite and one match at a time; the limit is for what users start."""
    limit = config_bundle.limits.sessions.max_concurrent_per_user
    for _ in range(limit):
        await world.sessions.create(BOB, create("party"))
    call = await world.sessions.create_agreed(
        agreed("consent", "ana", "bob"), create("private_call")
    )
    assert call.state == "active"
    await world.sessions.create(ANA, create("party"))  # the call does not count for ana
    with pytest.raises(TooManySessions):
        await world.sessions.create(BOB, create("party"))  # nor lifts bob's limit


async def test_creates_racing_for_the_last_place_admit_exactly_one(
    world: World, config_bundle: ConfigBundle
) -> None:
    limit = config_bundle.limits.sessions.max_concurrent_per_user
    for _ in range(limit - 1):
        await world.sessions.create(ANA, create("party"))
    won: list[str] = []
    lost: list[TooManySessions] = []

    async def attempt() -> None:
        try:
            won.append((await world.sessions.create(ANA, create("party"))).id)
        except TooManySessions as refused:
            lost.append(refused)

    async with trio.open_nursery() as nursery:
        for _ in range(5):
            nursery.start_soon(attempt)
    assert len(won) == 1
    assert len(lost) == 4
    assert len(await world.store.held_by("ana")) == limit


async def test_a_lost_release_lapses_after_the_ask_timeout(
    world: World, config_bundle: ConfigBundle, autojump_clock: trio.testing.MockClock
) -> None:
    """A reservation whose release never came (a full mailbox, a cancelled asker) holds a place
    no longer than an ask may take, so a user is never locked out by it."""
    limit = config_bundle.limits.sessions.max_concurrent_per_user
    for lost in range(limit):
        await world.actors.ask(KIND, "ana", Reserve(f"lost-{lost}"))  # never released
    with pytest.raises(TooManySessions):
        await world.sessions.create(ANA, create("party"))
    await trio.sleep(config_bundle.limits.runtime.actors.ask_timeout_s)
    assert (await world.sessions.create(ANA, create("party"))).state == "active"
