"""The orchestrator and its session actors on trio's MockClock, with the fake media provider.

Call modes (a manifest's `requires_consent` / `requires_match`) are started here the one way the
product allows: `create_agreed` / `transition_agreed` with the consent or matching service's
agreement (INV-2); a user's own request for one is refused.
"""

from __future__ import annotations

import logging

import pytest
import trio
import trio.testing

from tests.service.sessions.conftest import ADMIN
from tests.service.sessions.conftest import ANA
from tests.service.sessions.conftest import BOB
from tests.service.sessions.conftest import World
from tests.service.sessions.conftest import agreed
from tests.service.sessions.conftest import gates
from vvtv.config import ConfigBundle
from vvtv.contracts.events import Heartbeat
from vvtv.contracts.events import HeartbeatAckEvent
from vvtv.contracts.sessions import CreateSession
from vvtv.contracts.sessions import EndSession
from vvtv.contracts.sessions import SessionAnswer
from vvtv.contracts.sessions import SessionOffer
from vvtv.contracts.sessions import SessionView
from vvtv.contracts.sessions import TransitionSession
from vvtv.domain.agreements import Gate
from vvtv.errors import Forbidden
from vvtv.media.errors import UnknownProfile
from vvtv.media.port import SdpAnswer
from vvtv.media.port import SdpOffer
from vvtv.sessions.errors import ConsentRequired
from vvtv.sessions.errors import MatchRequired
from vvtv.sessions.errors import SessionNotFound
from vvtv.sessions.errors import SessionStateConflict
from vvtv.sessions.errors import TransitionFailed
from vvtv.sessions.errors import TransitionNotAllowed
from vvtv.sessions.errors import TransportMismatch
from vvtv.sessions.errors import UnknownMode


def create(mode: str = "party", profile: str | None = None) -> CreateSession:
    return CreateSession(
        mode=mode,
        audience_type="group",
        stream_transport="webrtc",
        intent_label="hang_out",
        media_profile=profile,
    )


OFFER = SessionOffer(role="publish", sdp="v=0")

REFUSAL: dict[Gate, type[Forbidden]] = {"consent": ConsentRequired, "match": MatchRequired}


def transition(from_id: str, to_mode: str = "sniffers") -> TransitionSession:
    return TransitionSession(
        from_session_id=from_id,
        to_mode=to_mode,
        audience_type="one_to_one",
        stream_transport="webrtc",
        intent_label="meet",
    )


async def test_create_records_mode_intent_policy_and_the_manifest_profile(
    world: World, config_bundle: ConfigBundle
) -> None:
    """SES-1: mode, audience, transport, intent and a policy snapshot; the profile comes from
    the mode manifest when none is given."""
    view = await world.sessions.create(ANA, create("party"))
    assert view.state == "active"
    assert (view.mode, view.audience_type, view.stream_transport, view.intent_label) == (
        "party", "group", "webrtc", "hang_out",
    )  # fmt: skip
    assert view.media_profile == config_bundle.modes.modes["party"].media_profile
    assert view.policy.config_version == config_bundle.version
    assert view.policy.tier == config_bundle.tier
    assert view.participants == ["ana"]
    assert world.provider.methods() == ["create_webrtc_endpoints"]
    assert world.sessions.heartbeats.armed() == 1


async def test_a_given_profile_overrides_the_manifest(world: World) -> None:
    view = await world.sessions.create(ANA, create("party", "thumb_degraded"))
    assert view.media_profile == "thumb_degraded"
    assert world.provider.sessions[view.id].profile_name == "thumb_degraded"


async def test_local_profile_creates_no_endpoints(world: World) -> None:
    view = await world.sessions.create(ANA, create("mirror"))
    assert view.state == "active"
    assert world.provider.calls == []


async def test_unknown_profile_is_refused_before_any_endpoint(world: World) -> None:
    """SES-11: an unknown profile is an error before any endpoint (or record) exists."""
    with pytest.raises(UnknownProfile):
        await world.sessions.create(ANA, create("party", "no_such_profile"))
    assert world.provider.calls == []
    assert world.store.sessions == {}


async def test_bad_requests_are_refused_before_anything_exists(world: World) -> None:
    with pytest.raises(UnknownMode):
        await world.sessions.create(ANA, create("no_such_mode"))
    with pytest.raises(TransportMismatch):
        await world.sessions.create(ANA, create("broadcast"))  # an HLS profile over webrtc
    assert world.provider.calls == []
    assert world.store.sessions == {}


async def test_transition_ends_the_parent_and_links_the_new_session(world: World) -> None:
    """SES-2, SES-5, SES-6, INV-1: a NEW session with parent_session_id; the parent is ended;
    the handover hint comes from the mode manifest (random → party is a cut)."""
    parent = await world.sessions.create_agreed(agreed("match", "ana", "bob"), create("random"))
    result = await world.sessions.transition(ANA, transition(parent.id, "party"))
    assert result.handover == "cut"
    assert result.ended.id == parent.id
    assert result.ended.state == "ended"
    assert result.ended.end_reason == "transition"
    assert result.session.id != parent.id
    assert result.session.parent_session_id == parent.id
    assert result.session.mode == "party"
    assert result.session.state == "active"
    assert (await world.sessions.get(ANA, parent.id)).state == "ended"
    assert world.provider.methods() == [
        "create_webrtc_endpoints", "revoke_endpoints", "create_webrtc_endpoints",
    ]  # fmt: skip


async def test_transition_the_manifest_does_not_allow_is_refused(world: World) -> None:
    random = await world.sessions.create_agreed(agreed("match", "ana", "bob"), create("random"))
    with pytest.raises(TransitionNotAllowed):
        await world.sessions.transition(ANA, transition(random.id, "sniffers"))
    assert (await world.sessions.get(ANA, random.id)).state == "active"
    assert len(world.store.sessions) == 1


async def test_transition_that_cannot_end_the_previous_session_creates_nothing(
    world: World,
) -> None:
    """SES-7: the revoke fails, so the previous session is `failed` and no new one exists."""
    parent = await world.sessions.create(ANA, create("party"))
    world.provider.fail_revoke = True
    with pytest.raises(TransitionFailed):
        await world.sessions.transition(ANA, transition(parent.id, "sniffers"))
    assert list(world.store.sessions) == [parent.id]
    assert world.store.sessions[parent.id].state == "failed"
    # An already-ended session cannot be transitioned either.
    with pytest.raises(SessionStateConflict):
        await world.sessions.transition(ANA, transition(parent.id, "sniffers"))
    assert list(world.store.sessions) == [parent.id]


async def test_two_simultaneous_transitions_exactly_one_wins(world: World) -> None:
    """SES-9: 100 times, two transitions of one session race; exactly one creates a session."""
    for _ in range(100):
        parent = await world.sessions.create(ANA, create("party"))
        won: list[str] = []
        lost: list[Exception] = []

        async def attempt(
            to_mode: str,
            parent_id: str = parent.id,
            won: list[str] = won,
            lost: list[Exception] = lost,
        ) -> None:
            try:
                result = await world.sessions.transition(ANA, transition(parent_id, to_mode))
            except SessionStateConflict as refused:
                lost.append(refused)
            else:
                won.append(result.session.id)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(attempt, "mirror")
            nursery.start_soon(attempt, "sniffers")
        assert len(won) == 1
        assert len(lost) == 1
        children = [s for s in world.store.sessions.values() if s.parent_session_id == parent.id]
        assert [child.id for child in children] == won
        assert world.store.sessions[parent.id].state == "ended"
        # ANA holds at most sessions.max_concurrent_per_user: the winner ends before the next.
        await world.sessions.end(ANA, won[0], EndSession())


async def test_no_heartbeat_ends_the_session_and_revokes_endpoints(
    world: World, config_bundle: ConfigBundle, autojump_clock: trio.testing.MockClock
) -> None:
    """SES-8: silent for `sessions.heartbeat_timeout_s` → ending → ended, endpoints revoked."""
    timeout = config_bundle.limits.sessions.heartbeat_timeout_s
    view = await world.sessions.create(ANA, create("party"))
    await trio.sleep(timeout * 0.9)
    ack = await world.sessions.heartbeat(ANA, view.id)
    assert ack.expires_in_s == timeout
    await trio.sleep(timeout * 0.9)  # alive: the heartbeat pushed the deadline back
    assert world.store.sessions[view.id].state == "active"
    await trio.sleep(timeout * 0.2)
    ended = world.store.sessions[view.id]
    assert ended.state == "ended"
    assert ended.end_reason == "timeout"
    assert world.provider.methods()[-1] == "revoke_endpoints"
    assert view.id not in world.provider.sessions
    with pytest.raises(SessionStateConflict):
        await world.sessions.heartbeat(ANA, view.id)


async def test_revoke_failure_marks_failed_and_alerts(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """SES-10: a failed revoke → `failed` + alert: a metric, an ERROR log line, an audit entry."""
    view = await world.sessions.create(ANA, create("party"))
    world.provider.fail_revoke = {view.id}
    with caplog.at_level(logging.ERROR, logger="vvtv.sessions"):
        ended = await world.sessions.end(ANA, view.id, EndSession())
    assert ended.state == "failed"
    assert (
        world.metrics.get_sample_value("vvtv_session_revoke_failures_total", {"mode": "party"}) == 1
    )
    assert any(r.levelno == logging.ERROR and view.id in r.getMessage() for r in caplog.records)
    [audit] = world.store.audit
    assert (audit.action, audit.target_id) == ("session.revoke_failed", view.id)


async def test_running_cost_estimate_and_egress_metric(
    world: World, config_bundle: ConfigBundle, autojump_clock: trio.testing.MockClock
) -> None:
    """SES-12, INV-10: profile bitrate × duration × direction factor, running then final."""
    profile = config_bundle.profile("call_private")
    factor = config_bundle.limits.cost.direction_factor.of("private")
    per_second = profile.max_total_kbps * 1000 / 8 * factor
    consented = agreed("consent", "ana", "bob")
    view = await world.sessions.create_agreed(consented, create("private_call"))
    assert view.media_profile == "call_private"
    await trio.sleep(10)
    await world.sessions.heartbeat(ANA, view.id)
    assert (await world.sessions.get(ANA, view.id)).estimated_egress_bytes == int(per_second * 10)
    ended = await world.sessions.end(ANA, view.id, EndSession())
    await trio.sleep(60)
    assert (await world.sessions.get(ANA, view.id)).estimated_egress_bytes == int(per_second * 10)
    assert ended.estimated_egress_bytes == int(per_second * 10)
    assert world.metrics.get_sample_value(
        "vvtv_session_estimated_egress_bytes_total", {"mode": "private_call"}
    ) == int(per_second * 10)


async def test_only_participants_or_an_admin_see_or_act(world: World) -> None:
    """Outsiders get 404 on every route, so a session's existence never leaks."""
    view = await world.sessions.create(ANA, create("party"))
    with pytest.raises(SessionNotFound):
        await world.sessions.get(BOB, view.id)
    with pytest.raises(SessionNotFound):
        await world.sessions.heartbeat(BOB, view.id)
    with pytest.raises(SessionNotFound):
        await world.sessions.end(BOB, view.id, EndSession())
    with pytest.raises(SessionNotFound):
        await world.sessions.transition(BOB, transition(view.id))
    with pytest.raises(SessionNotFound):
        await world.sessions.answer(BOB, view.id, OFFER)
    with pytest.raises(SessionNotFound):
        await world.sessions.turn(BOB, view.id)
    with pytest.raises(SessionNotFound):
        await world.sessions.answer(ANA, "no-such-session", OFFER)
    with pytest.raises(SessionNotFound):
        await world.sessions.get(ANA, "no-such-session")
    with pytest.raises(SessionNotFound):
        await world.sessions.end(ANA, "no-such-session", EndSession())
    assert (await world.sessions.get(ANA, view.id)).state == "active"
    assert (await world.sessions.get(ADMIN, view.id)).id == view.id
    assert (await world.sessions.end(ADMIN, view.id, EndSession(reason="moderation"))).state == (
        "ended"
    )


async def test_ending_twice_is_refused(world: World) -> None:
    """SES-3: end cleans up once; the second end is a conflict."""
    view = await world.sessions.create(ANA, create("party"))
    assert (await world.sessions.end(ANA, view.id, EndSession())).state == "ended"
    assert view.id not in world.provider.sessions
    with pytest.raises(SessionStateConflict):
        await world.sessions.end(ANA, view.id, EndSession())


async def test_signalling_waits_its_turn_with_the_sessions_transitions(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signalling goes through the session's owner: an end that arrives while an offer is being
    answered revokes the endpoints after the answer, never under it; later offers are refused."""
    view = await world.sessions.create(ANA, create("party"))
    release = trio.Event()
    provider_answer = world.provider.answer

    async def slow_answer(offer: SdpOffer) -> SdpAnswer:
        await release.wait()
        return await provider_answer(offer)

    monkeypatch.setattr(world.provider, "answer", slow_answer)
    answered: list[SessionAnswer] = []
    ended: list[SessionView] = []

    async def offer() -> None:
        answered.append(await world.sessions.answer(ANA, view.id, OFFER))

    async def end() -> None:
        ended.append(await world.sessions.end(ANA, view.id, EndSession()))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(offer)
        await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(end)
        await trio.testing.wait_all_tasks_blocked()
        assert "revoke_endpoints" not in [call.method for call in world.provider.calls]
        release.set()
    assert [call.method for call in world.provider.calls] == [
        "create_webrtc_endpoints",
        "answer",
        "revoke_endpoints",
    ]
    assert [a.role for a in answered] == ["publish"]
    assert [e.state for e in ended] == ["ended"]
    with pytest.raises(SessionStateConflict):
        await world.sessions.answer(ANA, view.id, OFFER)
    with pytest.raises(SessionStateConflict):
        await world.sessions.turn(ANA, view.id)


async def test_turn_credentials_name_the_session(world: World) -> None:
    view = await world.sessions.create(ANA, create("party"))
    credentials = await world.sessions.turn(ANA, view.id)
    assert credentials.username.endswith(view.id)


async def test_socket_heartbeat_is_acknowledged(world: World, config_bundle: ConfigBundle) -> None:
    view = await world.sessions.create(ANA, create("party"))
    ack = await world.sessions.on_socket_heartbeat(ANA, "tab-1", Heartbeat(session_id=view.id))
    assert ack == HeartbeatAckEvent(
        session_id=view.id, expires_in_s=config_bundle.limits.sessions.heartbeat_timeout_s
    )
    with pytest.raises(SessionNotFound):
        await world.sessions.on_socket_heartbeat(BOB, "tab-2", Heartbeat(session_id=view.id))


async def test_a_handover_into_a_call_holds_a_placeholder(world: World) -> None:
    """UI-2: party → random hands over with a placeholder while the call sets up (manifest);
    the match made it, so both matched users take part."""
    parent = await world.sessions.create(ANA, create("party"))
    matched = agreed("match", "ana", "bob")
    result = await world.sessions.transition_agreed(ANA, matched, transition(parent.id, "random"))
    assert result.handover == "placeholder"
    assert result.session.participants == ["ana", "bob"]
    assert (await world.sessions.get(BOB, result.session.id)).mode == "random"


# --- INV-2: no call without consent or a match ----------------------------------------------------


@pytest.mark.req("INV-2")
def test_the_shipped_manifests_gate_calls_behind_consent_and_a_match(
    config_bundle: ConfigBundle,
) -> None:
    """The `gated_mode` cases below come from these policies: neither kind may be missing."""
    assert set(gates(config_bundle).values()) == {"consent", "match"}


@pytest.mark.req("INV-2", "CNS-6")
async def test_a_user_cannot_start_a_gated_mode(world: World, gated_mode: tuple[str, Gate]) -> None:
    """Refused before any endpoint or record exists."""
    mode, gate = gated_mode
    with pytest.raises(REFUSAL[gate]) as refused:
        await world.sessions.create(ANA, create(mode))
    assert refused.value.code == f"{gate}_required"
    assert world.provider.calls == []
    assert world.store.sessions == {}


@pytest.mark.req("INV-2", "CNS-6")
async def test_a_user_cannot_transition_into_a_gated_mode(
    world: World, config_bundle: ConfigBundle, gated_mode: tuple[str, Gate]
) -> None:
    """Refused before the previous session ends: the user stays where they were."""
    mode, gate = gated_mode
    source = next(
        name
        for name, manifest in config_bundle.modes.modes.items()
        if mode in manifest.transitions
        and name not in gates(config_bundle)
        and manifest.media_profile is not None
        and config_bundle.profile(manifest.media_profile).transport == "webrtc"
    )
    parent = await world.sessions.create(ANA, create(source))
    with pytest.raises(REFUSAL[gate]):
        await world.sessions.transition(ANA, transition(parent.id, mode))
    assert list(world.store.sessions) == [parent.id]
    assert world.store.sessions[parent.id].state == "active"
    assert "revoke_endpoints" not in world.provider.methods()


@pytest.mark.req("INV-2")
async def test_an_agreement_opens_its_own_gate_and_no_other(
    world: World, gated_mode: tuple[str, Gate]
) -> None:
    """The consent or matching service's agreement starts the call for everyone it binds; a
    match never stands in for a private call's consent, nor consent for a match."""
    mode, gate = gated_mode
    other: Gate = "match" if gate == "consent" else "consent"
    with pytest.raises(REFUSAL[gate]):
        await world.sessions.create_agreed(agreed(other, "ana", "bob"), create(mode))
    assert world.store.sessions == {}
    view = await world.sessions.create_agreed(agreed(gate, "ana", "bob"), create(mode))
    assert (view.mode, view.state, view.participants) == (mode, "active", ["ana", "bob"])
    assert (await world.sessions.get(BOB, view.id)).id == view.id


@pytest.mark.req("INV-2")
async def test_an_agreement_that_does_not_bind_the_caller_opens_nothing(world: World) -> None:
    """A user cannot hand their session over into somebody else's call."""
    parent = await world.sessions.create(ANA, create("party"))
    strangers = agreed("match", "bob", "carol")
    with pytest.raises(MatchRequired):
        await world.sessions.transition_agreed(ANA, strangers, transition(parent.id, "random"))
    assert world.store.sessions[parent.id].state == "active"
    assert len(world.store.sessions) == 1
