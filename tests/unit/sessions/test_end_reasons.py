"""Every way a session can end is a reason session_ended declares (TEL-1): an undeclared value
makes the emit raise, and a session ending must never fail on its telemetry (a server restarting
over an abandoned session died of exactly that)."""

from __future__ import annotations

from typing import get_args
from typing import get_type_hints

import pytest

from vvtv.config import ConfigBundle
from vvtv.contracts.sessions import EndSession
from vvtv.sessions.actor import telemetry_reason

# The reasons the session rules set themselves (vvtv/domain/sessions.py), beside the API's.
DOMAIN_REASONS = ("timeout", "abandoned", "transition", "endpoints_failed: ICE gathering failed")


@pytest.mark.req("TEL-1")
@pytest.mark.parametrize("state", ["ended", "failed"])
def test_every_end_reason_is_one_session_ended_declares(
    config_bundle: ConfigBundle, state: str
) -> None:
    spec = config_bundle.telemetry.events["session_ended"]
    api_reasons = get_args(get_type_hints(EndSession)["reason"])
    assert "user" in api_reasons
    for reason in (*api_reasons, *DOMAIN_REASONS, None):
        told = telemetry_reason(state, reason)
        assert spec.allows("reason", told), (reason, told)


def test_the_provider_s_words_stay_out_of_the_event() -> None:
    assert telemetry_reason("ended", "endpoints_failed: no route to 10.0.0.7") == (
        "endpoints_failed"
    )
