"""The presence section's own checks (CFG-4), each proven by a broken variant of the shipped config
(broken_variants/presence_*)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vvtv.config import Problem

Check = Callable[[str], list[Problem]]


@pytest.mark.req("CFG-4")
def test_a_room_may_not_passivate_between_its_expiry_checks(assert_broken: Check) -> None:
    """PRS-4: a room holding anyone wakes every ghost_ttl_s + sweep_interval_s at the latest; an
    actor kernel that passivates sooner would drop everyone in it."""
    assert_broken("presence_room_passivates")


@pytest.mark.req("CFG-4")
def test_a_default_page_within_the_largest_page(assert_broken: Check) -> None:
    assert_broken("presence_page_over_max")


@pytest.mark.req("CFG-4")
def test_tag_cap_within_the_contracts_bound(assert_broken: Check) -> None:
    assert_broken("presence_tags_beyond_wire")
