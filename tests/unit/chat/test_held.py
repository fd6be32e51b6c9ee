"""A held message is decided once (issue 16, TEL-6): approve or reject from `held`, then never."""

from __future__ import annotations

import pytest

from vvtv.contracts.chat import HeldAction
from vvtv.contracts.chat import HeldStatus
from vvtv.domain.chat.held import decided

pytestmark = pytest.mark.req("TEL-6")


def test_a_held_message_is_approved_or_rejected_once() -> None:
    assert decided("held", "approve") == "approved"
    assert decided("held", "reject") == "rejected"
    settled: tuple[HeldStatus, ...] = ("approved", "rejected")
    actions: tuple[HeldAction, ...] = ("approve", "reject")
    assert [decided(status, action) for status in settled for action in actions] == [None] * 4
