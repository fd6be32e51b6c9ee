"""The session state machine and cost rules, without trio."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import get_args

import pytest

from vvtv.contracts.sessions import PolicySnapshot
from vvtv.contracts.sessions import SessionOffer
from vvtv.contracts.sessions import SessionState
from vvtv.domain.agreements import Agreement
from vvtv.domain.agreements import Gate
from vvtv.domain.agreements import closed_gate
from vvtv.domain.agreements import gate_of
from vvtv.domain.sessions import TRANSITIONS
from vvtv.domain.sessions import Abandoned
from vvtv.domain.sessions import Alert
from vvtv.domain.sessions import AnswerOffer
from vvtv.domain.sessions import ArmHeartbeat
from vvtv.domain.sessions import Create
from vvtv.domain.sessions import CreateEndpoints
from vvtv.domain.sessions import DisarmHeartbeat
from vvtv.domain.sessions import EmitState
from vvtv.domain.sessions import End
from vvtv.domain.sessions import EndpointsFailed
from vvtv.domain.sessions import EndpointsReady
from vvtv.domain.sessions import Heartbeat
from vvtv.domain.sessions import HeartbeatTimeout
from vvtv.domain.sessions import IssueTurn
from vvtv.domain.sessions import Message
from vvtv.domain.sessions import Offer
from vvtv.domain.sessions import Persist
from vvtv.domain.sessions import Refuse
from vvtv.domain.sessions import RequestTurn
from vvtv.domain.sessions import RevocationFailed
from vvtv.domain.sessions import Revoked
from vvtv.domain.sessions import RevokeEndpoints
from vvtv.domain.sessions import Session
from vvtv.domain.sessions import allowed
from vvtv.domain.sessions import decide
from vvtv.domain.sessions import egress_bytes
from vvtv.domain.sessions import media_plan
from vvtv.domain.sessions import running_egress_bytes

T0 = datetime(2025, 1, 1, tzinfo=UTC)
STATES: tuple[SessionState, ...] = get_args(SessionState)


def session(state: SessionState = "creating", **changes: object) -> Session:
    base = Session(
        id="s1",
        mode="party",
        ecosystem="party",
        audience_type="group",
        stream_transport="webrtc",
        intent_label="hang_out",
        media_profile="thumb_low",
        webrtc=True,
        participants=("u1",),
        policy=PolicySnapshot(config_version="v1"),
        created_at=T0,
        state=state,
        bitrate_kbps=180,
        direction_factor=1.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


MESSAGES: dict[str, Message] = {
    "create": Create(session()),
    "endpoints_ready": EndpointsReady(T0),
    "endpoints_failed": EndpointsFailed(T0, "boom"),
    "end": End(T0, "user"),
    "heartbeat": Heartbeat(),
    "heartbeat_timeout": HeartbeatTimeout(T0),
    "abandoned": Abandoned(T0),
    "revoked": Revoked(T0),
    "revoke_failed": RevocationFailed(T0, "boom"),
    "offer": Offer("u1", SessionOffer(role="publish", sdp="v=0")),
    "request_turn": RequestTurn(),
}

# (state, message) -> the state after it; anything not listed is refused and changes nothing.
# `=` means accepted without a state change.
EXPECTED: dict[tuple[SessionState | None, str], SessionState | str] = {
    (None, "create"): "creating",
    ("creating", "endpoints_ready"): "active",
    ("creating", "endpoints_failed"): "ending",
    ("creating", "abandoned"): "ending",
    ("active", "end"): "ending",
    ("active", "heartbeat"): "=",
    # Signalling is answered only while media may flow.
    ("active", "offer"): "=",
    ("active", "request_turn"): "=",
    ("active", "heartbeat_timeout"): "ending",
    ("active", "abandoned"): "ending",
    ("ending", "abandoned"): "=",
    ("ending", "revoked"): "ended",
    ("ending", "revoke_failed"): "failed",
    # A timer that fires after the session started leaving is ignored, not an error.
    ("creating", "heartbeat_timeout"): "=",
    ("ending", "heartbeat_timeout"): "=",
    ("ended", "heartbeat_timeout"): "=",
    ("failed", "heartbeat_timeout"): "=",
}


@pytest.mark.parametrize("state", [None, *STATES])
@pytest.mark.parametrize("name", list(MESSAGES))
def test_every_message_in_every_state(state: SessionState | None, name: str) -> None:
    """SES-4: exactly the table's transitions happen; every other message is refused."""
    current = None if state is None else session(state)
    new, effects = decide(current, MESSAGES[name])
    expected = EXPECTED.get((state, name))
    if expected is None:
        assert new == current
        assert len(effects) == 1
        assert isinstance(effects[0], Refuse)
        return
    assert not any(isinstance(effect, Refuse) for effect in effects)
    assert new is not None
    if expected == "=":
        assert new.state == state
    else:
        assert new.state == expected
        assert allowed(state, new.state)
        # Every change of state is persisted, before anything else reaches outside the actor.
        persisted = [e for e in effects if isinstance(e, Persist)]
        assert persisted
        assert persisted[0].session == new


def test_table_is_the_spec_chain_plus_abandoning_creation() -> None:
    """SES-4: creating → active → ending → ended | failed, and creating → ending for cleanup."""
    edges = {(s, t) for s, targets in TRANSITIONS.items() for t in targets}
    assert edges == {
        (None, "creating"),
        ("creating", "active"),
        ("creating", "ending"),
        ("active", "ending"),
        ("ending", "ended"),
        ("ending", "failed"),
    }


def test_create_asks_for_endpoints_then_activation_arms_the_heartbeat() -> None:
    new, effects = decide(None, Create(session()))
    assert any(isinstance(e, CreateEndpoints) and e.profile == "thumb_low" for e in effects)
    assert new is not None
    active, effects = decide(new, EndpointsReady(T0))
    assert active is not None
    assert active.started_at == T0
    assert ArmHeartbeat("s1", ("u1",)) in effects


def test_ending_revokes_and_disarms() -> None:
    new, effects = decide(session("active", started_at=T0), End(T0 + timedelta(seconds=10), "user"))
    assert new is not None
    assert new.end_reason == "user"
    assert DisarmHeartbeat("s1") in effects
    assert RevokeEndpoints("s1", True) in effects


@pytest.mark.req("SES-3")
def test_who_hung_up_is_kept_and_told_to_every_participant() -> None:
    call = session("active", participants=("ana", "bob"), started_at=T0)
    ending, effects = decide(call, End(T0, "user", "bob"))
    assert ending is not None
    assert ending.ended_by == "bob"
    assert EmitState(("ana", "bob"), "s1", "ending", "user", "bob") in effects
    ended, effects = decide(ending, Revoked(T0))
    assert ended is not None
    assert EmitState(("ana", "bob"), "s1", "ended", "user", "bob") in effects


@pytest.mark.req("SES-8")
def test_each_participant_keeps_only_themselves_alive_and_one_silent_ends_it() -> None:
    """A call is over when either side is gone: each participant has their own deadline."""
    call = session("active", participants=("ana", "bob"), started_at=T0)
    assert decide(call, Heartbeat("bob")) == (call, (ArmHeartbeat("s1", ("bob",)),))
    # Someone not in it (an admin) keeps everyone's; so does a heartbeat that names nobody.
    for by in ("root", None):
        assert decide(call, Heartbeat(by)) == (call, (ArmHeartbeat("s1", ("ana", "bob")),))
    ending, effects = decide(call, HeartbeatTimeout(T0, "ana"))
    assert ending is not None
    assert (ending.state, ending.end_reason, ending.ended_by) == ("ending", "timeout", "ana")
    assert EmitState(("ana", "bob"), "s1", "ending", "timeout", "ana") in effects


def test_revoke_failure_alerts() -> None:
    """SES-10 (the rule): a failed revoke makes the session `failed` and raises an alert."""
    new, effects = decide(session("ending"), RevocationFailed(T0, "sfu gone"))
    assert new is not None
    assert new.state == "failed"
    assert Alert("s1", "sfu gone") in effects


def test_signalling_asks_the_provider_only_while_active() -> None:
    """Signalling goes through the session's owner: answered in turn with its transitions, so an
    offer that arrives after the end is refused with the state, never sent to the provider."""
    offer = SessionOffer(role="subscribe", sdp="v=0")
    active = session("active")
    assert decide(active, Offer("u1", offer)) == (active, (AnswerOffer("s1", "u1", offer),))
    assert decide(active, RequestTurn()) == (active, (IssueTurn("s1"),))
    ending = session("ending")
    assert decide(ending, Offer("u1", offer)) == (
        ending,
        (Refuse("invalid_state", "Session s1 is ending."),),
    )


def test_egress_estimate() -> None:
    """SES-12: ceiling bitrate × duration × direction factor, fixed when the session ends."""
    # 1000 kbps for 8 s, sent both ways: 1000 * 1000 / 8 * 8 * 2 bytes.
    assert egress_bytes(1000, 2.0, 8.0) == 2_000_000
    running = session("active", started_at=T0, bitrate_kbps=1000, direction_factor=2.0)
    assert running_egress_bytes(running, T0 + timedelta(seconds=8)) == 2_000_000
    ending, _ = decide(running, End(T0 + timedelta(seconds=8), "user"))
    assert ending is not None
    assert ending.estimated_egress_bytes == 2_000_000
    ended, _ = decide(ending, Revoked(T0 + timedelta(seconds=60)))
    assert ended is not None
    assert running_egress_bytes(ended, T0 + timedelta(hours=1)) == 2_000_000
    assert running_egress_bytes(session("creating"), T0 + timedelta(hours=1)) == 0


def test_media_plan() -> None:
    assert media_plan("webrtc", "webrtc") == "endpoints"
    assert media_plan("hls", "hls") == "none"
    assert media_plan("local", "webrtc") == "none"
    assert media_plan("hls", "webrtc") == "mismatch"
    assert media_plan("webrtc", "hls") == "mismatch"


@pytest.mark.req("INV-2")
@pytest.mark.parametrize(
    ("requires_consent", "requires_match", "agreement", "closed"),
    [
        (False, False, None, None),  # not a call mode: open to any signed-in user
        (True, False, None, "consent"),
        (False, True, None, "match"),
        (True, False, "consent", None),
        (False, True, "match", None),
        (True, False, "match", "consent"),  # a match never stands in for consent
        (False, True, "consent", "match"),  # nor consent for a match
        (True, True, "match", "consent"),  # both asked: consent is the stricter gate
    ],
)
def test_only_the_matching_agreement_opens_a_modes_gate(
    requires_consent: bool, requires_match: bool, agreement: Gate | None, closed: Gate | None
) -> None:
    held = None if agreement is None else Agreement(agreement, "ref-1", ("u1", "u2"))
    assert closed_gate(gate_of(requires_consent, requires_match), held) == closed
