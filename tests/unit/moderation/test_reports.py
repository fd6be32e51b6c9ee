"""A report's life in the queue and what each decision does, as pure rules (MOD-3..5, TEL-3)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from vvtv.config import ConfigBundle
from vvtv.domain.moderation import decisions
from vvtv.domain.moderation.reports import Claim
from vvtv.domain.moderation.reports import Decide
from vvtv.domain.moderation.reports import Keep
from vvtv.domain.moderation.reports import Place
from vvtv.domain.moderation.reports import Refuse
from vvtv.domain.moderation.reports import Report
from vvtv.domain.moderation.reports import Save
from vvtv.domain.moderation.reports import Still
from vvtv.domain.moderation.reports import decide
from vvtv.domain.moderation.reports import still_expiry
from vvtv.domain.moderation.reports import still_kept
from vvtv.domain.moderation.reports import stream_context

AT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
LATER = AT + timedelta(minutes=5)


def _report(**changes: object) -> Report:
    fields: dict[str, object] = {
        "id": 7, "created_at": AT, "reporter_id": "ana", "target_id": "bob",
        "reason_code": "spam", "place": Place("profile_card"),
    }  # fmt: skip
    return Report(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.req("MOD-5")
def test_a_claim_holds_the_report_for_its_moderator() -> None:
    state, effects = decide(_report(), Claim("moira", LATER))
    assert state is not None
    assert (state.status, state.claim) == ("claimed", Claim("moira", LATER))
    assert effects == [Save(state)]
    again, effects = decide(state, Claim("moira", LATER + timedelta(seconds=1)))
    assert again == state
    assert effects == [Keep(state)]  # claiming what you hold changes nothing


@pytest.mark.req("MOD-5")
def test_another_moderator_neither_claims_nor_decides_a_held_report() -> None:
    held = _report(claim=Claim("moira", AT))
    for message in (Claim("mona", LATER), Decide("mona", "ban", LATER)):
        state, effects = decide(held, message)
        assert state == held
        assert [type(e) for e in effects] == [Refuse]
        assert effects[0].code == "claimed_by_other"  # type: ignore[union-attr]


@pytest.mark.req("MOD-5", "TEL-6")
def test_a_decision_is_final() -> None:
    state, effects = decide(_report(), Decide("moira", "warn", LATER))
    assert state is not None
    assert (state.status, state.decision) == ("decided", Decide("moira", "warn", LATER))
    assert effects == [Save(state)]
    for message in (Claim("moira", LATER), Decide("moira", "ban", LATER)):
        _, effects = decide(state, message)
        assert effects == [Refuse("already_decided", "This report was decided already.")]
    assert decide(None, Claim("moira", AT))[1][0] == Refuse("report_not_found", "No such report.")


@pytest.mark.req("MOD-3", "MOD-4", "MOD-6")
def test_each_action_is_made_of_identitys_account_operations() -> None:
    assert decisions.steps("dismiss", None) == ()
    assert decisions.steps("warn", None) == (decisions.Warn(),)
    assert decisions.steps("shadow_quarantine", None) == (decisions.ShadowQuarantine(),)
    # Visible: a new account's limits, shown on the account, and a warning that says why.
    assert decisions.steps("quarantine", None) == (decisions.Quarantine(None), decisions.Warn())
    assert decisions.steps("quarantine", 86400) == (decisions.Quarantine(86400), decisions.Warn())
    assert decisions.steps("ban", 3600) == (decisions.Ban(3600),)
    assert decisions.steps("ban", None) == (decisions.Ban(None),)


@pytest.mark.req("MOD-3")
def test_a_raid_acts_on_each_account_once_in_report_order() -> None:
    assert decisions.targets_in_order(["r2", "r1", "r2", "r3", "r1"]) == ["r2", "r1", "r3"]


@pytest.mark.req("TEL-3")
def test_a_still_is_kept_only_until_its_expiry() -> None:
    still = Still("s1", b"jpeg", still_expiry(AT, 60))
    assert still.expires_at == AT + timedelta(seconds=60)
    assert still_kept(still, AT + timedelta(seconds=59)) == still
    assert still_kept(still, AT + timedelta(seconds=60)) is None
    assert still_kept(None, AT) is None


@pytest.mark.req("MOD-1", "MOD-5")
def test_a_frame_checks_report_is_placed_where_a_persons_report_from_that_mode_would_be(
    config_bundle: ConfigBundle,
) -> None:
    """The shipped modes whose cameras the SFU checks: a match's call is Random's, an invited one
    private, a live room's the live room, a camera in Party or Sniffers is seen as a tile."""
    modes = config_bundle.modes.modes

    def context_of(mode_id: str) -> str:
        policies = modes[mode_id].policies
        return stream_context(
            requires_match=policies.requires_match,
            requires_consent=policies.requires_consent,
            live_room=policies.chat_scope == "live_public",
        )

    assert {mode: context_of(mode) for mode in ("random", "private_call", "live_public")} == {
        "random": "random",
        "private_call": "private_call",
        "live_public": "live",
    }
    assert {context_of("party"), context_of("sniffers")} == {"tile"}
